using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Demo;
using CanaryPilot.Sandbox;
using CanaryPilot.Sandbox.Mesh;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// One fault run's world: the demo's sandbox (the API emulator, the simulated bookinfo reviews service, a
/// real Prometheus), a real webhook receiver, secrets only the run knows, and recorders that watch what the
/// mesh and the rollout went through — every canary weight the VirtualService held, every stage the status
/// entered — so that a run is judged on what happened, not on what the controller says happened.
/// </summary>
internal sealed class FaultBed : IAsyncDisposable
{
    /// <summary>The stages of <see cref="Plan"/>, as canary weights.</summary>
    public static readonly int[] Stages = [5, 25, 50, 100];

    private readonly DemoEnvironment _environment;
    private readonly WebApplication _receiver;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, int Weight)> _weights = new();
    private readonly ConcurrentQueue<(DateTimeOffset At, int Stage, DateTimeOffset Started, string Phase)> _stages = new();
    private readonly ConcurrentQueue<JsonNode> _notifications;
    private readonly ConcurrentQueue<string> _collected = new();
    private readonly List<Task> _watches = [];
    private readonly ConcurrentBag<Process> _processes = [];
    private JsonNode _original = null!;

    private FaultBed(DemoEnvironment environment, WebApplication receiver, Uri receiverAddress, ConcurrentQueue<JsonNode> notifications)
    {
        _environment = environment;
        _receiver = receiver;
        _notifications = notifications;
        var token = Secret();
        WebhookUrl = new Uri(receiverAddress, $"/hooks/{token}");
        SigningSecret = Secret();
        AuthorizationToken = Secret();
        Directory = environment.Cluster.Directory;
    }

    public DemoEnvironment Environment => _environment;

    /// <summary>A URL with a token in its path, as chat-ops webhooks have.</summary>
    public Uri WebhookUrl { get; }

    public string SigningSecret { get; }

    public string AuthorizationToken { get; }

    public string Directory { get; }

    /// <summary>The secrets a run must never show, in any log line, status, event or error.</summary>
    public IReadOnlyList<string> Secrets => [WebhookUrl.AbsolutePath.TrimStart('/').Split('/')[^1], SigningSecret, AuthorizationToken];

    /// <summary>Every canary weight the VirtualService held, in order, as a watch on it saw them.</summary>
    public IReadOnlyList<int> Weights => [.. _weights.Select(w => w.Weight)];

    /// <summary>When the first step after <paramref name="moment"/> was seen: a canary weight written or a stage or phase entered.</summary>
    public DateTimeOffset? FirstStepAfter(DateTimeOffset moment) =>
        _weights.Select(w => w.At).Concat(_stages.Select(s => s.At)).Where(at => at > moment).Order().Cast<DateTimeOffset?>().FirstOrDefault();

    /// <summary>
    /// The steps seen between two moments: canary weights written and stages or phases entered, each marked as
    /// a step back (a lower weight, rolling back) or forward, with when it was seen.
    /// </summary>
    public IReadOnlyList<(DateTimeOffset At, bool Back, string What)> StepsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        var weights = _weights.ToList();
        var steps = weights.Select((w, i) => (w.At, Back: i > 0 && w.Weight < weights[i - 1].Weight, What: $"weight {w.Weight}"))
            .Concat(_stages.Select(s => (s.At, Back: s.Phase is "RollingBack" or "RolledBack", What: $"stage {s.Stage} {s.Phase}")));
        return [.. steps.Where(s => s.At > from && s.At < to).OrderBy(s => s.At)];
    }

    /// <summary>Every (stage, its start, phase) the rollout's status held, in order.</summary>
    public IReadOnlyList<(int Stage, DateTimeOffset Started, string Phase)> StatusStages => [.. _stages.Select(s => (s.Stage, s.Started, s.Phase))];

    /// <summary>The inconclusive checks in a row the status last said.</summary>
    public int InconclusiveChecks { get; private set; }

    /// <summary>The CloudEvents the webhook receiver got.</summary>
    public IReadOnlyList<JsonNode> Notifications => [.. _notifications];

    /// <summary>
    /// The demo's plan, its stages minutes made seconds, telling a webhook of every transition: its URL, its
    /// signing secret and an Authorization header are secrets — from the environment, as they are given to the
    /// CLI, or, <paramref name="inCluster"/>, from the Secret <see cref="CreateSecretAsync"/> writes, as
    /// <c>serve</c> reads them.
    /// </summary>
    public static string Plan(bool inCluster = false, string stages = "[{weight: 5, minDuration: 2s}, {weight: 25, minDuration: 2s}, {weight: 50, minDuration: 2s}, {weight: 100, iterations: 2}]", string maxMissing = "30s")
    {
        string Source(string env, string key) => inCluster ? $"{{secretKeyRef: {{name: {SecretName}, key: {key}}}}}" : $"{{env: {env}}}";
        return $$$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              service:
                name: reviews
                virtualServices: [{name: reviews, routes: [reviews-primary]}]
                stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
              stages: {{{stages}}}
              analysis:
                interval: 1s
                progressDeadline: 3m
                failureLimit: 1
                missingData: {minRequestVolume: 5, maxDuration: {{{maxMissing}}}}
                prometheus: {scrapeInterval: 1s, timeout: 1s}
                metrics:
                  - {name: success-rate, template: istio-success-rate, window: 5s, thresholds: {min: 99}, critical: {min: 90}}
                  - {name: latency-p99, template: istio-request-duration-p99, window: 5s, thresholds: {max: 500}}
              notifications:
                - name: audit
                  webhook:
                    urlFrom: {{{Source("FAULTS_WEBHOOK_URL", "url")}}}
                    signingSecret: {{{Source("FAULTS_SIGNING_SECRET", "signing-secret")}}}
                    headers:
                      - name: Authorization
                        valueFrom: {{{Source("FAULTS_AUTHORIZATION", "authorization")}}}
            """;
    }

    /// <summary>The Secret the in-cluster plan's notification reads.</summary>
    public const string SecretName = "faults-webhook";

    public static async Task<FaultBed> StartAsync(WorkloadBehavior canary, double requestsPerSecond = 200)
    {
        var scenario = new DemoScenario(
            "fault-run", "a fault run", new SimulatedWorkload { Workload = "reviews-v2", Version = "v2", Host = "reviews", Subset = "v2", Behavior = canary }, requestsPerSecond, RolloutPhase.Succeeded);
        var environment = await DemoEnvironment.StartAsync(scenario, CancellationToken.None);
        var notifications = new ConcurrentQueue<JsonNode>();
        var deliveries = 0;
        var (receiver, address) = await LoopbackServer.StartAsync(async context =>
        {
            // Every fourth delivery is answered 503, so that retries, and what is said of a failed delivery, are part of every run.
            if (Interlocked.Increment(ref deliveries) % 4 == 0)
            {
                context.Response.StatusCode = 503;
                return;
            }

            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (JsonNode.Parse(body.ToArray()) is { } json)
            {
                notifications.Enqueue(json);
            }

            await context.Response.WriteAsync("ok", context.RequestAborted);
        });
        var bed = new FaultBed(environment, receiver, address, notifications);
        await bed.DecorateVirtualServiceAsync();
        bed._watches.Add(bed.WatchAsync("networking.istio.io", "v1", "virtualservices", bed.OnVirtualService));
        bed._watches.Add(bed.WatchAsync("canarypilot.io", "v1alpha1", "rolloutplans", bed.OnRolloutPlan));
        return bed;
    }

    /// <summary>Writes the plan into the bed's directory and returns its path.</summary>
    public string WritePlan(string yaml)
    {
        var path = Path.Combine(Directory, "plan.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary><c>canarypilot run</c> as its own process (the bed's: killed, if still running, when it is disposed), its secrets in its environment, its output collected for the secret check; <paramref name="prometheus"/> stands in for the bed's.</summary>
    public Process StartRun(string planPath, Uri? prometheus = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "run", "-f", planPath, "--kubeconfig", _environment.Cluster.KubeconfigPath, "--prometheus", (prometheus ?? _environment.Prometheus.Address).ToString(), "--output", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FAULTS_WEBHOOK_URL"] = WebhookUrl.ToString();
        start.Environment["FAULTS_SIGNING_SECRET"] = SigningSecret;
        start.Environment["FAULTS_AUTHORIZATION"] = $"Bearer {AuthorizationToken}";
        return Started(start);
    }

    /// <summary>The Secret holding the notification's URL, signing secret and Authorization header, for <c>serve</c>.</summary>
    public async Task CreateSecretAsync() =>
        await _environment.Cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = SecretName },
                StringData = new Dictionary<string, string>
                {
                    ["url"] = WebhookUrl.ToString(),
                    ["signing-secret"] = SigningSecret,
                    ["authorization"] = $"Bearer {AuthorizationToken}",
                },
            },
            "bookinfo");

    /// <summary>The VirtualService and every RolloutPlan as the cluster holds them now, to tell whether anything was applied.</summary>
    public async Task<string> ClusterStateAsync()
    {
        var client = _environment.Cluster.Client;
        var virtualService = await client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews");
        var plans = await client.CustomObjects.ListNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans");
        return KubernetesJson.Serialize(virtualService) + KubernetesJson.Serialize(JsonNode.Parse(KubernetesJson.Serialize(plans))?["items"]);
    }

    /// <summary>Creates the plan in the cluster, as <c>kubectl create -f</c> would.</summary>
    public async Task CreatePlanAsync(string yaml)
    {
        var document = new InputLoader().LoadText("plan.yaml", yaml).Documents.Single();
        await _environment.Cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(SourceJson.From(document.Root)!, "canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans");
    }

    /// <summary>
    /// <c>canarypilot serve</c> as its own process: a replica named <paramref name="identity"/> on a free
    /// loopback port (or <paramref name="port"/>), electing its leader on a Lease of <paramref name="lease"/>
    /// (renewed within 3/4 of it), its API's tokens from <paramref name="tokensFile"/> when given.
    /// </summary>
    public Process StartServe(string identity, TimeSpan lease, int? port = null, string? tokensFile = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "serve", "--kubeconfig", _environment.Cluster.KubeconfigPath, "--prometheus", _environment.Prometheus.Address.ToString(), "--port", (port ?? FreePort()).ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CanaryPilot__Identity"] = identity;
        start.Environment["CanaryPilot__LeaseDuration"] = lease.ToString("c", CultureInfo.InvariantCulture);
        start.Environment["CanaryPilot__RenewDeadline"] = (lease * 0.75).ToString("c", CultureInfo.InvariantCulture);
        start.Environment["CanaryPilot__RetryPeriod"] = (lease / 8).ToString("c", CultureInfo.InvariantCulture);
        if (tokensFile is not null)
        {
            start.Environment["CanaryPilot__TokensFile"] = tokensFile;
        }

        return Started(start);
    }

    /// <summary>Who holds the controller's Lease now; null before anyone has.</summary>
    public async Task<string?> LeaderAsync()
    {
        try
        {
            return (await _environment.Cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("canarypilot-controller", "default")).Spec?.HolderIdentity;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Starts a process the bed owns: whatever happens to the run, it is killed when the bed is disposed.</summary>
    private Process Started(ProcessStartInfo start)
    {
        var process = Process.Start(start)!;
        _processes.Add(process);
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A loopback port free now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Text to search for secrets: a process's output, a status, an error.</summary>
    public void Collect(string? text)
    {
        if (text is not null)
        {
            _collected.Enqueue(text);
        }
    }

    /// <summary>The last <paramref name="count"/> lines collected, for a report of what went wrong.</summary>
    public IReadOnlyList<string> Last(int count) => [.. _collected.TakeLast(count)];

    /// <summary>The rollout's phase in the cluster now.</summary>
    public async Task<string?> PhaseAsync() => (await StatusAsync()).Phase;

    /// <summary>The rollout's phase, message and rollback cause in the cluster now.</summary>
    public async Task<(string? Phase, string? Message, string? Cause)> StatusAsync()
    {
        var plan = JsonNode.Parse((await _environment.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString()!);
        return ((string?)plan?["status"]?["phase"], (string?)plan?["status"]?["message"], (string?)plan?["status"]?["cause"]);
    }

    /// <summary>Everything the run showed: process output, the plan's status, the namespace's events. Each secret found in it is a leak.</summary>
    public async Task<IReadOnlyList<string>> LeaksAsync()
    {
        Collect(KubernetesJson.Serialize(await _environment.Cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans")));
        Collect(KubernetesJson.Serialize(await _environment.Cluster.Client.CoreV1.ListNamespacedEventAsync("bookinfo")));
        var text = string.Join('\n', _collected);
        return [.. Secrets.Where(s => text.Contains(s, StringComparison.Ordinal))];
    }

    /// <summary>Waits until <paramref name="condition"/> holds, looking every 50 ms; false when it did not within <paramref name="timeout"/>.</summary>
    public static Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout) => WaitForAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>Waits until <paramref name="condition"/> holds, asking every 50 ms; false when it did not within <paramref name="timeout"/>.</summary>
    public static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        return true;
    }

    /// <summary>Waits until the status has entered stage <paramref name="stage"/> (counting from 0), as the watch saw it.</summary>
    public Task<bool> StageEnteredAsync(int stage, TimeSpan timeout) => WaitForAsync(() => _stages.Any(s => s.Stage >= stage), timeout);

    /// <summary>Until the watches have seen the rollout's last phase and the VirtualService's last weight.</summary>
    private async Task CaughtUpAsync()
    {
        var phase = await PhaseAsync();
        var virtualService = JsonNode.Parse((await _environment.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews")).ToString()!)!;
        var weight = CanaryWeight(virtualService);
        await WaitForAsync(() => (_stages.IsEmpty ? null : _stages.Last().Phase) == phase && (_weights.IsEmpty ? 0 : _weights.Last().Weight) == weight, TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Judges the run once it has ended: the verdict it deserves (promoted when <paramref name="promotes"/>, or
    /// rolled back with traffic on stable); on the way to a promotion the canary's weight never went down; the weights were the plan's
    /// stages in order; no stage entered twice; the user's VirtualService fields intact; no secret shown.
    /// </summary>
    public async Task<RunJudgement> JudgeAsync(bool promotes)
    {
        await CaughtUpAsync();
        var wrong = new List<string>();
        var (phase, message, _) = await StatusAsync();
        var expected = promotes ? "Succeeded" : "RolledBack";
        if (phase != expected)
        {
            wrong.Add($"ended {phase ?? "without a phase"} (\"{message}\"), expected {expected}");
        }

        var weights = Weights;
        var lowered = promotes && weights.Zip(weights.Skip(1)).Any(p => p.Second < p.First);
        if (lowered)
        {
            wrong.Add($"the canary's weight went down: {string.Join(" → ", weights)}");
        }

        // The weights on the way up must be the plan's stages in order, from the first.
        var rising = weights.SkipWhile(w => w == 0).TakeWhile(w => w != 0).ToList();
        var skipped = !rising.SequenceEqual(Stages.Take(rising.Count)) || (promotes && rising.Count != Stages.Length);
        if (skipped)
        {
            wrong.Add($"the weights were {string.Join(" → ", weights)}, not the stages {string.Join(" → ", Stages)} in order");
        }

        if (!promotes && weights is [.., not 0])
        {
            wrong.Add($"rolled back with the canary's weight at {weights[^1]}");
        }

        var repeated = StatusStages.GroupBy(s => s.Stage).Sum(g => g.Select(s => s.Started).Distinct().Count() - 1);
        if (repeated > 0)
        {
            wrong.Add($"{repeated} stage(s) entered twice");
        }

        var fields = await UserFieldsSurvivedAsync();
        if (!fields)
        {
            wrong.Add("a VirtualService field CanaryPilot does not own changed");
        }

        var leaks = await LeaksAsync();
        if (leaks.Count > 0)
        {
            wrong.Add($"{leaks.Count} secret(s) shown");
        }

        // Delivery is at least once: the verdict must have been told, whatever was killed or failed on the way
        // (a serve replica tells it after the status says it, and retries a delivery answered 503 a second later).
        var verdict = $"io.canarypilot.rollout.{(promotes ? "promoted" : "rolledBack")}";
        var verdictTold = await WaitForAsync(() => _notifications.Any(n => (string?)n["type"] == verdict), TimeSpan.FromSeconds(10));
        var told = Notifications.Select(n => ((string?)n["type"], n["data"]?["rollout"]?["stage"]?.ToJsonString())).ToList();
        if (!verdictTold)
        {
            wrong.Add($"the webhook was never told {verdict}");
        }

        return new RunJudgement
        {
            Lowered = lowered,
            Skipped = skipped,
            Repeated = repeated,
            FieldsSurvived = fields,
            Leaks = leaks.Count,
            Notifications = told.Count,
            DuplicateNotifications = told.Count - told.Distinct().Count(),
            Wrong = wrong,
        };
    }

    /// <summary>
    /// The VirtualService's fields CanaryPilot does not own, then and now: what the user wrote (labels,
    /// annotations, gateways, headers, retries, timeout, a second route) must have survived the run.
    /// </summary>
    public async Task<bool> UserFieldsSurvivedAsync()
    {
        var now = JsonNode.Parse((await _environment.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews")).ToString()!)!;
        return JsonNode.DeepEquals(UserFields(_original), UserFields(now));
    }

    /// <summary>A VirtualService without what CanaryPilot owns: the weights, the canary's destinations, its own annotations, the server's bookkeeping.</summary>
    private static JsonNode UserFields(JsonNode virtualService)
    {
        var copy = virtualService.DeepClone();
        var metadata = copy["metadata"]!.AsObject();
        foreach (var field in new[] { "resourceVersion", "generation", "managedFields", "uid", "creationTimestamp" })
        {
            metadata.Remove(field);
        }

        if (metadata["annotations"] is JsonObject annotations)
        {
            foreach (var key in annotations.Select(a => a.Key).Where(k => k.StartsWith("canarypilot.io/", StringComparison.Ordinal)).ToList())
            {
                annotations.Remove(key);
            }
        }

        foreach (var http in copy["spec"]?["http"]?.AsArray() ?? [])
        {
            if (http?["route"] is not JsonArray route)
            {
                continue;
            }

            foreach (var destination in route.Where(d => (string?)d?["destination"]?["subset"] == "v2").ToList())
            {
                route.Remove(destination);
            }

            foreach (var destination in route.OfType<JsonObject>())
            {
                destination.Remove("weight");
            }
        }

        return copy;
    }

    /// <summary>Fields a team writes that CanaryPilot must leave alone.</summary>
    private async Task DecorateVirtualServiceAsync()
    {
        var client = _environment.Cluster.Client;
        var virtualService = JsonNode.Parse((await client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews")).ToString()!)!;
        virtualService["metadata"]!["labels"] = new JsonObject { ["team"] = "reviews", ["app.kubernetes.io/managed-by"] = "gitops" };
        virtualService["metadata"]!["annotations"] = new JsonObject { ["owner"] = "reviews-oncall@example.com" };
        virtualService["spec"]!["gateways"] = new JsonArray("mesh");
        var primary = virtualService["spec"]!["http"]![0]!;
        primary["headers"] = new JsonObject { ["request"] = new JsonObject { ["set"] = new JsonObject { ["x-served-by"] = "reviews" } } };
        primary["corsPolicy"] = new JsonObject { ["allowOrigins"] = new JsonArray(new JsonObject { ["exact"] = "https://bookinfo.example.com" }) };
        virtualService["spec"]!["http"]!.AsArray().Add(new JsonObject
        {
            ["name"] = "reviews-fallback",
            ["match"] = new JsonArray(new JsonObject { ["uri"] = new JsonObject { ["prefix"] = "/legacy" } }),
            ["route"] = new JsonArray(new JsonObject { ["destination"] = new JsonObject { ["host"] = "reviews", ["subset"] = "v1" } }),
        });
        await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(virtualService, "networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews");
        _original = JsonNode.Parse((await client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews")).ToString()!)!;
    }

    private void OnVirtualService(JsonNode item)
    {
        var weight = CanaryWeight(item);
        if (_weights.IsEmpty || _weights.Last().Weight != weight)
        {
            _weights.Enqueue((DateTimeOffset.UtcNow, weight));
        }
    }

    /// <summary>The canary's (subset v2's) weight on the http route <paramref name="route"/> of a VirtualService; 0 when it has none.</summary>
    public static int CanaryWeight(JsonNode virtualService, string route = "reviews-primary")
    {
        var primary = virtualService["spec"]?["http"]?.AsArray().FirstOrDefault(h => (string?)h?["name"] == route);
        var destinations = primary?["route"]?.AsArray() ?? [];
        var canary = destinations.FirstOrDefault(d => (string?)d?["destination"]?["subset"] == "v2");
        return canary is null ? 0 : canary["weight"]?.GetValue<int>() ?? (destinations.Count == 1 ? 100 : 0);
    }

    private void OnRolloutPlan(JsonNode item)
    {
        if (item["status"] is not { } status)
        {
            return;
        }

        Collect(status.ToJsonString());
        InconclusiveChecks = (int?)status["inconclusiveChecks"] ?? 0;
        if (status["stage"]?.GetValue<int>() is { } stage && status["stageStartedAt"]?.GetValue<DateTimeOffset>() is { } started)
        {
            var phase = status["phase"]?.GetValue<string>() ?? "";
            if (_stages.IsEmpty || (_stages.Last().Stage, _stages.Last().Started, _stages.Last().Phase) != (stage, started, phase))
            {
                _stages.Enqueue((DateTimeOffset.UtcNow, stage, started, phase));
            }
        }
    }

    private Task WatchAsync(string group, string version, string plural, Action<JsonNode> onItem) =>
        WatchAsync(_environment.Cluster.Client, "bookinfo", group, version, plural, onItem, _stop.Token);

    /// <summary>
    /// Every object of a namespace's custom resources as a watch delivers it, until <paramref name="stop"/>: a watch
    /// can end (the server closes it, or a fault drops it), and is started again, as a controller would.
    /// </summary>
    public static async Task WatchAsync(IKubernetes client, string ns, string group, string version, string plural, Action<JsonNode> onItem, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await foreach (var (_, item) in client.CustomObjects.WatchListNamespacedCustomObjectAsync(group, version, ns, plural, cancellationToken: stop))
                {
                    if (JsonNode.Parse(item.ToString()!) is { } json)
                    {
                        onItem(json);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or k8s.Autorest.HttpOperationException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            }
        }
    }

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        await _stop.CancelAsync();
        await Task.WhenAll(_watches.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        await _receiver.DisposeAsync();
        await _environment.DisposeAsync();
        _stop.Dispose();
    }
}
