using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Demo;
using CanaryPilot.Sandbox;
using CanaryPilot.Sandbox.Mesh;
using k8s;
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
    private readonly ConcurrentQueue<int> _weights = new();
    private readonly ConcurrentQueue<(int Stage, DateTimeOffset Started, string Phase)> _stages = new();
    private readonly ConcurrentQueue<JsonNode> _notifications;
    private readonly ConcurrentQueue<string> _collected = new();
    private readonly List<Task> _watches = [];
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
    public IReadOnlyList<int> Weights => [.. _weights];

    /// <summary>Every (stage, its start, phase) the rollout's status held, in order.</summary>
    public IReadOnlyList<(int Stage, DateTimeOffset Started, string Phase)> StatusStages => [.. _stages];

    /// <summary>The CloudEvents the webhook receiver got.</summary>
    public IReadOnlyList<JsonNode> Notifications => [.. _notifications];

    /// <summary>
    /// The demo's plan, its stages minutes made seconds, telling a webhook of every transition: its URL, its
    /// signing secret and an Authorization header all from the environment, as secrets are given to the CLI.
    /// </summary>
    public static string Plan(string stages = "[{weight: 5, minDuration: 2s}, {weight: 25, minDuration: 2s}, {weight: 50, minDuration: 2s}, {weight: 100, iterations: 2}]") => $$$"""
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
            missingData: {minRequestVolume: 5, maxDuration: 30s}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - {name: success-rate, template: istio-success-rate, window: 5s, thresholds: {min: 99}, critical: {min: 90}}
              - {name: latency-p99, template: istio-request-duration-p99, window: 5s, thresholds: {max: 500}}
          notifications:
            - name: audit
              webhook:
                urlFrom: {env: FAULTS_WEBHOOK_URL}
                signingSecret: {env: FAULTS_SIGNING_SECRET}
                headers:
                  - name: Authorization
                    valueFrom: {env: FAULTS_AUTHORIZATION}
        """;

    public static async Task<FaultBed> StartAsync(WorkloadBehavior canary, double requestsPerSecond = 200)
    {
        var scenario = new DemoScenario(
            "fault-run", "a fault run", new SimulatedWorkload { Workload = "reviews-v2", Version = "v2", Host = "reviews", Subset = "v2", Behavior = canary }, requestsPerSecond, RolloutPhase.Succeeded);
        var environment = await DemoEnvironment.StartAsync(scenario, CancellationToken.None);
        var notifications = new ConcurrentQueue<JsonNode>();
        var (receiver, address) = await LoopbackServer.StartAsync(async context =>
        {
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

    /// <summary><c>canarypilot run</c> as its own process, its secrets in its environment, its output collected for the secret check.</summary>
    public Process StartRun(string planPath)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "run", "-f", planPath, "--kubeconfig", _environment.Cluster.KubeconfigPath, "--prometheus", _environment.Prometheus.Address.ToString(), "--output", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FAULTS_WEBHOOK_URL"] = WebhookUrl.ToString();
        start.Environment["FAULTS_SIGNING_SECRET"] = SigningSecret;
        start.Environment["FAULTS_AUTHORIZATION"] = $"Bearer {AuthorizationToken}";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
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
    public async Task<string?> PhaseAsync()
    {
        var plan = JsonNode.Parse((await _environment.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString()!);
        return plan?["status"]?["phase"]?.GetValue<string>();
    }

    /// <summary>Everything the run showed: process output, the plan's status, the namespace's events. Each secret found in it is a leak.</summary>
    public async Task<IReadOnlyList<string>> LeaksAsync()
    {
        Collect((await _environment.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString());
        Collect(KubernetesJson.Serialize(await _environment.Cluster.Client.CoreV1.ListNamespacedEventAsync("bookinfo")));
        var text = string.Join('\n', _collected);
        return [.. Secrets.Where(s => text.Contains(s, StringComparison.Ordinal))];
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
        var primary = item["spec"]?["http"]?.AsArray().FirstOrDefault(h => (string?)h?["name"] == "reviews-primary");
        var route = primary?["route"]?.AsArray() ?? [];
        var canary = route.FirstOrDefault(d => (string?)d?["destination"]?["subset"] == "v2");
        var weight = canary is null ? 0 : canary["weight"]?.GetValue<int>() ?? (route.Count == 1 ? 100 : 0);
        if (_weights.IsEmpty || _weights.Last() != weight)
        {
            _weights.Enqueue(weight);
        }
    }

    private void OnRolloutPlan(JsonNode item)
    {
        if (item["status"] is not { } status)
        {
            return;
        }

        Collect(status.ToJsonString());
        if (status["stage"]?.GetValue<int>() is { } stage && status["stageStartedAt"]?.GetValue<DateTimeOffset>() is { } started)
        {
            var phase = status["phase"]?.GetValue<string>() ?? "";
            if (_stages.IsEmpty || _stages.Last() != (stage, started, phase))
            {
                _stages.Enqueue((stage, started, phase));
            }
        }
    }

    private async Task WatchAsync(string group, string version, string plural, Action<JsonNode> onItem)
    {
        // A watch can end (the server closes it); start again until the bed stops, as a controller would.
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var events = _environment.Cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(group, version, "bookinfo", plural, cancellationToken: _stop.Token);
                await foreach (var (_, item) in events)
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
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private static string Secret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_watches.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        await _receiver.DisposeAsync();
        await _environment.DisposeAsync();
        _stop.Dispose();
    }
}
