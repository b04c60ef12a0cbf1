using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// A service's traffic without a cluster: clients send requests at a steady rate, each routed as Istio
/// would route it by the live VirtualService in the API emulator (watched: weights, A/B matches, mirrors), calling a
/// dependency through its own VirtualService (fault routes matching the caller's labels delay or abort those calls) — or, in
/// ambient mode, by the live HTTPRoute through a waypoint, whose parents' verdict the mesh writes to the route's
/// status — each answered by the simulated workload it reaches, and all of it reported as Istio metrics on
/// <c>/metrics</c> for a real Prometheus to scrape.
/// </summary>
public sealed class SimulatedMesh : IAsyncDisposable
{
    private readonly MeshOptions _options;
    private readonly IKubernetes _client;
    private readonly TimeProvider _time;
    private readonly WebApplication _app;
    private readonly IstioMetrics _metrics = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Random _random;
    private readonly ConcurrentDictionary<string, bool> _turned = new(StringComparer.Ordinal);
    private Task _traffic = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private readonly ConcurrentDictionary<string, Counter> _served = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>?[] _jars;
    private Task _dependencyWatch = Task.CompletedTask;
    private JsonObject? _route;
    private JsonObject? _dependencyRoute;
    private const string GatewayGroup = "gateway.networking.k8s.io";

    /// <summary>How many traffic ticks apart the parents' verdict is looked at again, beyond each change of the route.</summary>
    private const int StatusEveryTicks = 10;

    private double _owed;
    private double _fixedShare = double.NaN;
    private long _ticks;
    private long _requests;

    private SimulatedMesh(MeshOptions options, IKubernetes client, TimeProvider time, WebApplication app)
    {
        _options = options;
        _client = client;
        _time = time;
        _app = app;
        _random = new Random(options.Seed);
        _jars = new Dictionary<string, string>?[options.Clients];
        Started = time.GetUtcNow();
    }

    /// <summary>When the mesh started: a workload's <see cref="SimulatedWorkload.Changes"/> count from here.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>From now on <paramref name="workload"/> behaves as its <see cref="SimulatedWorkload.Later"/>.</summary>
    public void TurnToLater(string workload) => _turned[workload] = true;

    /// <summary>
    /// From now on the traffic ignores the route's weights, as when a GitOps tool rewrote the route or clients skip the
    /// waypoint: of the requests for the service, <paramref name="canaryShare"/> (0–1) reach the canary (the second
    /// workload) and the rest the stable (the first).
    /// </summary>
    public void IgnoreWeights(double canaryShare) => Volatile.Write(ref _fixedShare, canaryShare);

    /// <summary>Whether <paramref name="workload"/> has been turned to its later behaviour.</summary>
    public bool HasTurned(string workload) => _turned.ContainsKey(workload);

    /// <summary>Where Prometheus scrapes: <c>http://127.0.0.1:PORT/metrics</c>.</summary>
    public required Uri MetricsAddress { get; init; }

    /// <summary>Requests sent so far (mirrored copies not counted).</summary>
    public long Requests => Interlocked.Read(ref _requests);

    public static async Task<SimulatedMesh> StartAsync(MeshOptions options, IKubernetes client, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        SimulatedMesh? mesh = null;
        var (app, address) = await LoopbackServer.StartAsync(context => mesh?.ServeAsync(context) ?? NotReady(context), cancellationToken: cancellationToken);
        mesh = new SimulatedMesh(options, client, time ?? TimeProvider.System, app) { MetricsAddress = new Uri(address, "/metrics") };
        if (options.VirtualService is null == options.HttpRoute is null)
        {
            await app.DisposeAsync();
            throw new ArgumentException("name the VirtualService or, for ambient mode, the HTTPRoute the traffic follows: one of them", nameof(options));
        }

        mesh._watch = mesh.WatchRouteAsync(mesh._stop.Token);
        mesh._dependencyWatch = options.Dependency is { } dependency ? mesh.WatchDependencyAsync(dependency, mesh._stop.Token) : Task.CompletedTask;
        mesh._traffic = mesh.RunTrafficAsync(mesh._stop.Token);
        return mesh;
    }

    /// <summary>A scrape that arrives in the moment between the server starting and the mesh existing.</summary>
    private static Task NotReady(HttpContext context)
    {
        context.Response.StatusCode = 503;
        return Task.CompletedTask;
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (context.Request.Path != "/metrics")
        {
            context.Response.StatusCode = 404;
            return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4";
        await _metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
    }

    private async Task RunTrafficAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.Tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (Volatile.Read(ref _route) is { } route)
                {
                    Send(route);
                    if (_options.Ambient && ++_ticks % StatusEveryTicks == 0)
                    {
                        // The parents' verdict also changes when a backend Service comes or goes.
                        await WriteParentStatusAsync(route, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Follows the route as it changes; in ambient mode, answers each change with its parents' verdict.</summary>
    private Task WatchRouteAsync(CancellationToken cancellationToken) => _options.Ambient
        ? WatchAsync(GatewayGroup, _options.GatewayApiVersion, "httproutes", _options.HttpRoute!, async (route, token) =>
        {
            Volatile.Write(ref _route, route);
            if (route is not null)
            {
                await WriteParentStatusAsync(route, token);
            }
        }, cancellationToken)
        : WatchAsync("networking.istio.io", _options.IstioApiVersion, "virtualservices", _options.VirtualService!, (route, _) =>
        {
            Volatile.Write(ref _route, route);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>Follows the dependency's VirtualService, whose fault routes act on the workloads' calls.</summary>
    private Task WatchDependencyAsync(SimulatedDependency dependency, CancellationToken cancellationToken) =>
        WatchAsync("networking.istio.io", _options.IstioApiVersion, "virtualservices", dependency.VirtualService, (route, _) =>
        {
            Volatile.Write(ref _dependencyRoute, route);
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>Hands each version of one object (null once deleted) to <paramref name="changed"/>, reconnecting whenever the watch ends or fails.</summary>
    private async Task WatchAsync(string group, string version, string plural, string name, Func<JsonObject?, CancellationToken, Task> changed, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = _client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    group, version, _options.Namespace, plural, fieldSelector: $"metadata.name={name}", cancellationToken: cancellationToken);
                await foreach (var (type, item) in events)
                {
                    if (type != WatchEventType.Bookmark && type != WatchEventType.Error)
                    {
                        await changed(type == WatchEventType.Deleted ? null : JsonNode.Parse(item.ToString()!) as JsonObject, cancellationToken);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException or JsonException)
            {
                // The emulator went away or the stream broke: try again shortly.
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Writes the route's <c>status.parents</c> as Istio's controller would, when it differs from what is there.</summary>
    private async Task WriteParentStatusAsync(JsonObject route, CancellationToken cancellationToken)
    {
        try
        {
            var services = await _client.CoreV1.ListNamespacedServiceAsync(_options.Namespace, cancellationToken: cancellationToken);
            var gateways = JsonNode.Parse(((JsonElement)await _client.CustomObjects.ListNamespacedCustomObjectAsync(
                GatewayGroup, _options.GatewayApiVersion, _options.Namespace, "gateways", cancellationToken: cancellationToken)).GetRawText())?["items"] as JsonArray ?? [];
            var serviceNames = services.Items.Select(s => s.Metadata.Name).ToHashSet(StringComparer.Ordinal);
            var gatewayNames = gateways.Select(g => g?["metadata"]?["name"]?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
            bool Exists(string kind, string ns, string name) => ns == _options.Namespace && (kind == "Service" ? serviceNames : gatewayNames).Contains(name);
            var status = RouteParentStatus.For(route, Exists, _time.GetUtcNow());
            if (JsonNode.DeepEquals(status, route["status"]))
            {
                return;
            }

            var written = (JsonObject)route.DeepClone();
            written["status"] = status;
            await _client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(
                written, GatewayGroup, _options.GatewayApiVersion, _options.Namespace, "httproutes", _options.HttpRoute!, cancellationToken: cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException or JsonException)
        {
            // A conflict (the route changed meanwhile) or a fault: the next change, or the next round, writes it.
        }
    }

    private void Send(JsonObject route)
    {
        _owed += _options.RequestsPerSecond * _options.Tick.TotalSeconds;
        var elapsed = _time.GetUtcNow() - Started;
        for (; _owed >= 1; _owed--)
        {
            var beta = _random.NextDouble() < _options.BetaShare;
            var client = _jars.Length == 0 ? -1 : _random.Next(_jars.Length);
            var request = new IstioRouting.Request(_options.Path, Headers(beta ? _options.BetaHeaders : NoHeaders, client));
            var decision = _options.Ambient ? GatewayRouting.Route(route, request, _random) : IstioRouting.Route(route, request, _random);
            if (Volatile.Read(ref _fixedShare) is var share && !double.IsNaN(share) && decision.Destination is not null && _options.Workloads is [var stable, var canary, ..])
            {
                var chosen = _random.NextDouble() < share ? canary : stable;
                decision = decision with { Destination = new IstioRouting.Target(chosen.Host, chosen.Subset) };
            }
            Interlocked.Increment(ref _requests);
            Serve(decision.Destination, elapsed, counted: true);
            Serve(decision.Mirror, elapsed);
            if (client >= 0 && decision.SetCookie is { } cookie)
            {
                Keep(client, cookie);
            }
        }
    }

    private static readonly Dictionary<string, string> NoHeaders = [];

    /// <summary>The request's headers, with the cookies <paramref name="client"/> keeps added to any it sends anyway.</summary>
    private Dictionary<string, string> Headers(IReadOnlyDictionary<string, string> headers, int client)
    {
        var sent = new Dictionary<string, string>(headers);
        if (client >= 0 && _jars[client] is { Count: > 0 } jar)
        {
            var kept = string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}"));
            sent["cookie"] = sent.TryGetValue("cookie", out var own) ? $"{own}; {kept}" : kept;
        }

        return sent;
    }

    /// <summary>A response's <c>Set-Cookie</c>, kept by the client as a browser keeps it (its attributes, Max-Age included, not modelled).</summary>
    private void Keep(int client, string setCookie)
    {
        var pair = setCookie.Split(';', 2)[0];
        if (pair.Split('=', 2) is [var name, var value] && name.Trim().Length > 0)
        {
            (_jars[client] ??= new Dictionary<string, string>(StringComparer.Ordinal))[name.Trim()] = value.Trim();
        }
    }

    /// <summary>Requests <paramref name="workload"/> has answered (mirrored copies not counted).</summary>
    public long ServedBy(string workload) => _served.TryGetValue(workload, out var count) ? Interlocked.Read(ref count.Value) : 0;

    private void Serve(IstioRouting.Target? target, TimeSpan elapsed, bool counted = false)
    {
        if (target is null)
        {
            return;
        }

        var workload = _options.Workloads.FirstOrDefault(w => SameHost(w.Host, target.Host) && w.Subset == target.Subset);
        if (workload is null)
        {
            return; // a destination no simulated workload serves: Istio would answer 503 with no upstream
        }

        if (counted)
        {
            Interlocked.Increment(ref _served.GetOrAdd(workload.Workload, _ => new Counter()).Value);
        }

        var behavior = workload.Later is { } later && _turned.ContainsKey(workload.Workload) ? later : workload.BehaviorAt(elapsed);
        var (code, duration) = behavior.Sample(_random);
        if (workload.Calls is { } call && _options.Dependency is { } dependency)
        {
            var (called, waited) = Call(workload, call, dependency);
            duration += waited;
            code = code >= 500 ? code : called;
        }

        // A waypoint reports the Service the backendRef names: one per version.
        var serviceHost = _options.Ambient ? Qualify(workload.Host) : $"{_options.Service}.{_options.Namespace}.svc.cluster.local";
        _metrics.Record(_options.Client, new MeshIdentity(workload.Workload, _options.Namespace, _options.Service, workload.Version), serviceHost, _options.Namespace, code, duration, _options.Ambient);
    }

    /// <summary>
    /// One call from <paramref name="workload"/> to the dependency, routed by the dependency's live VirtualService from the
    /// workload's pods (so fault routes matching their labels apply), reported as Istio reports it; what it means for the
    /// request being answered: its status and the time spent waiting.
    /// </summary>
    private (int Code, double WaitedMs) Call(SimulatedWorkload workload, DependencyCall call, SimulatedDependency dependency)
    {
        var labels = workload.Labels ?? new Dictionary<string, string> { ["app"] = _options.Service, ["version"] = workload.Version };
        var request = new IstioRouting.Request("/ratings/0", new Dictionary<string, string>()) { SourceLabels = labels, SourceNamespace = _options.Namespace };
        var decision = Volatile.Read(ref _dependencyRoute) is { } route ? IstioRouting.Route(route, request, _random) : null;
        var (delay, aborted) = FaultEffect.Sample(decision?.Fault, _random);
        var (code, duration) = aborted is { } status ? (status, 0.0) : dependency.Behavior.Sample(_random);
        duration += delay;
        var timeout = call.Timeout?.TotalMilliseconds ?? double.PositiveInfinity;
        var caller = new MeshIdentity(workload.Workload, _options.Namespace, _options.Service, workload.Version);
        var waited = Math.Min(duration, timeout);
        var timedOut = duration > timeout;
        _metrics.Record(caller, dependency.Workload, Qualify(dependency.Host), _options.Namespace, timedOut ? 504 : code, waited);
        var failed = timedOut || code >= 500;
        return (failed && !call.FallsBack ? 503 : 200, waited);
    }

    private bool SameHost(string a, string b) => Qualify(a) == Qualify(b);

    private string Qualify(string host) => host.Count(c => c == '.') switch
    {
        0 => $"{host}.{_options.Namespace}.svc.cluster.local",
        1 => $"{host}.svc.cluster.local",
        _ => host,
    };

    private sealed class Counter
    {
        public long Value;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _traffic;
        await _watch;
        await _dependencyWatch;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
