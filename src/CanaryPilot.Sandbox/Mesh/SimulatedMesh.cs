using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// A service's traffic without a cluster: clients send requests at a steady rate, each routed as Istio
/// would route it by the live VirtualService in the API emulator (watched: weights, A/B matches, mirrors), each
/// answered by the simulated workload it reaches, and all of it reported as Istio metrics on
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
    private JsonObject? _virtualService;
    private double _owed;
    private long _requests;

    private SimulatedMesh(MeshOptions options, IKubernetes client, TimeProvider time, WebApplication app)
    {
        _options = options;
        _client = client;
        _time = time;
        _app = app;
        _random = new Random(options.Seed);
        Started = time.GetUtcNow();
    }

    /// <summary>When the mesh started: a workload's <see cref="SimulatedWorkload.Changes"/> count from here.</summary>
    public DateTimeOffset Started { get; }

    /// <summary>From now on <paramref name="workload"/> behaves as its <see cref="SimulatedWorkload.Later"/>.</summary>
    public void TurnToLater(string workload) => _turned[workload] = true;

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
        mesh._watch = mesh.WatchVirtualServiceAsync(mesh._stop.Token);
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
                if (Volatile.Read(ref _virtualService) is { } virtualService)
                {
                    Send(virtualService);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Follows the VirtualService as it changes, reconnecting whenever the watch ends or fails.</summary>
    private async Task WatchVirtualServiceAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var events = _client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                    "networking.istio.io", _options.IstioApiVersion, _options.Namespace, "virtualservices",
                    fieldSelector: $"metadata.name={_options.VirtualService}", cancellationToken: cancellationToken);
                await foreach (var (type, item) in events)
                {
                    var parsed = type == WatchEventType.Deleted ? null : JsonNode.Parse(item.ToString()!) as JsonObject;
                    if (type != WatchEventType.Bookmark && type != WatchEventType.Error)
                    {
                        Volatile.Write(ref _virtualService, parsed);
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

    private void Send(JsonObject virtualService)
    {
        _owed += _options.RequestsPerSecond * _options.Tick.TotalSeconds;
        var elapsed = _time.GetUtcNow() - Started;
        for (; _owed >= 1; _owed--)
        {
            var beta = _random.NextDouble() < _options.BetaShare;
            var request = new IstioRouting.Request(_options.Path, beta ? _options.BetaHeaders : new Dictionary<string, string>());
            var decision = IstioRouting.Route(virtualService, request, _random);
            Interlocked.Increment(ref _requests);
            Serve(decision.Destination, elapsed);
            Serve(decision.Mirror, elapsed);
        }
    }

    private void Serve(IstioRouting.Target? target, TimeSpan elapsed)
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

        var behavior = workload.Later is { } later && _turned.ContainsKey(workload.Workload) ? later : workload.BehaviorAt(elapsed);
        var (code, duration) = behavior.Sample(_random);
        var serviceHost = $"{_options.Service}.{_options.Namespace}.svc.cluster.local";
        _metrics.Record(_options.Client, new MeshIdentity(workload.Workload, _options.Namespace, _options.Service, workload.Version), serviceHost, _options.Namespace, code, duration);
    }

    private bool SameHost(string a, string b) => Qualify(a) == Qualify(b);

    private string Qualify(string host) => host.Count(c => c == '.') switch
    {
        0 => $"{host}.{_options.Namespace}.svc.cluster.local",
        1 => $"{host}.svc.cluster.local",
        _ => host,
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _traffic;
        await _watch;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stop.Dispose();
    }
}
