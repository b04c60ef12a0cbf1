using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Sandbox;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Service;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// Concurrent rollouts driven by one <c>canarypilot serve</c> while the Kubernetes API emulator answers 30% of
/// its writes 409, 20% of its requests 503, drops its watches every few seconds and takes 200 ms for every
/// answer. Right means every rollout reaches its verdict, and the status said every step the mesh saw — no
/// status write lost. Measured against the same rollouts without faults: the requests the faults cost.
/// </summary>
internal static class ApiFaultSuite
{
    private const string Namespace = "faults";

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(8);

    private static readonly RandomFaults Faults = new() { WriteConflicts = 0.3, ServerErrors = 0.2, WatchLifetime = TimeSpan.FromSeconds(4), Seed = 17 };

    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(200);

    public static async Task<string> RunAsync(int rollouts, TextWriter progress)
    {
        var failing = rollouts / 5;
        var calm = await OnceAsync(rollouts, failing, faulted: false, progress);
        var faulted = await OnceAsync(rollouts, failing, faulted: true, progress);
        var table = new Table("the API", "rollouts", "right", "lost", "status writes lost", "reads", "writes", "watches", "answered 409", "answered 503", "watches dropped", "notifications (repeated)", "secrets shown", "last verdict after");
        foreach (var (name, run) in new[] { ("as it is", calm), ("30% 409, 20% 503, watches dropped, +200 ms", faulted) })
        {
            table.Add(
                name,
                N(rollouts),
                N(run.Right),
                N(run.Lost),
                N(run.StatusLost),
                Extra(run.Reads, calm.Reads),
                Extra(run.Writes, calm.Writes),
                Extra(run.Watches, calm.Watches),
                N(run.Injected.Conflicts),
                N(run.Injected.Failures),
                N(run.Injected.WatchesDropped),
                $"{N(run.Notifications)} ({N(run.Duplicates)})",
                N(run.Leaks),
                $"{run.Elapsed.TotalSeconds:0} s");
        }

        var wrong = calm.Wrong.Select(w => $"- as it is: {w}").Concat(faulted.Wrong.Select(w => $"- faulted: {w}")).ToList();
        return $"""
            Each run: the API emulator, a real Prometheus scraping every workload's Istio counters each second,
            {rollouts} services each with a VirtualService, a DestinationRule and a RolloutPlan (10% → 50% → 100%,
            analysis every 2 s, a success rate of at least 99%, a webhook told of every transition — its URL with a
            token in the path and its signing secret in a Secret), of which {failing} have a canary answering 30% 5xx; and one
            `canarypilot serve` driving them all. Then the same again with the emulator's fault switches on for
            the controller's requests only (the harness watches the cluster unfaulted): {Faults.WriteConflicts:P0} of its writes
            answered 409 Conflict, {Faults.ServerErrors:P0} of its requests answered 503, every watch dropped (the connection
            reset) after 2 to 6 s, and {Latency.TotalMilliseconds:0} ms before every answer.

            Right means the verdict the canary deserves (promoted, or rolled back with traffic on stable), the
            stages in order with none entered twice. Status writes lost: rollouts whose status did not say every
            canary weight the VirtualService held, in the order it held them (a step taken and not recorded, or
            recorded and not taken). Requests are the controller's, counted by the emulator; in the faulted row,
            after each count, what the faults added to the calm run's. Notifications repeated: told again for the
            same rollout, event and stage (delivery is at least once: a status write that failed after a
            notification was sent is retried with it); the receiver answers every fourth delivery 503. Secrets
            shown: the webhook token or signing secret found in any RolloutPlan's status, any event or any of the
            controller's log lines.

            {table.ToMarkdown()}
            {(wrong.Count == 0 ? "" : "\nWrong rollouts:\n\n" + string.Join("\n", wrong.Take(20)))}
            """;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Extra(long count, long calm) =>
        count == calm ? N(count) : string.Create(CultureInfo.InvariantCulture, $"{N(count)} (+{(count - calm) * 100.0 / Math.Max(1, calm):0}%)");

    private sealed record Outcome(int Right, int Lost, int StatusLost, long Reads, long Writes, long Watches, (long Conflicts, long Failures, long WatchesDropped) Injected, TimeSpan Elapsed, List<string> Wrong)
    {
        public int Notifications { get; init; }

        public int Duplicates { get; init; }

        public int Leaks { get; init; }
    }

    private static async Task<Outcome> OnceAsync(int rollouts, int failing, bool faulted, TextWriter progress)
    {
        await using var cluster = await KubeApiCluster.StartAsync(new KubeApiOptions { Audit = true });
        var client = cluster.Client;
        var (counters, countersAddress) = await LoopbackServer.StartAsync(new WorkloadCounters(rollouts, failing).ServeAsync);
        await using var _ = counters;
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [new Uri(countersAddress, "/metrics")] });
        var told = new ConcurrentQueue<JsonNode>();
        var deliveries = 0;
        var (receiver, receiverAddress) = await LoopbackServer.StartAsync(async context =>
        {
            // Every fourth delivery is answered 503: retries, and what is logged of a failed delivery, are part of the run.
            if (Interlocked.Increment(ref deliveries) % 4 == 0)
            {
                context.Response.StatusCode = 503;
                return;
            }

            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) is { } json)
            {
                told.Enqueue(json);
            }
        });
        await using var __ = receiver;
        var secrets = new[] { Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) };
        await CreateObjectsAsync(client, rollouts, prometheus.Address, new Uri(receiverAddress, $"/hooks/{secrets[0]}"), secrets[1]);
        using var observer = new Observer(client);
        await observer.StartAsync();

        if (faulted)
        {
            cluster.Server.Faults.ForUserAgent = "canarypilot/";
            cluster.Server.Faults.Random = Faults;
            cluster.Server.Faults.Latency = Latency;
        }

        // The controller's log lines (JSON on standard output) are kept for the secret check.
        var console = Console.Out;
        var logs = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(logs));
        TimeSpan elapsed;
        try
        {
            var clock = Stopwatch.StartNew();
            var options = new ServiceOptions { Port = 0, Lease = $"{Namespace}/canarypilot-controller", Identity = "api-faults" };
            await using var service = ServiceHost.Build(options, cluster.Configuration, TokenStore.Parse("", "none"));
            await service.StartAsync();
            var done = false;
            while (!done && clock.Elapsed < Deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var ended = observer.Ended();
                done = ended == rollouts;
                if (clock.Elapsed.Seconds % 15 == 0)
                {
                    await progress.WriteLineAsync($"api {(faulted ? "faulted" : "calm")}: {ended} of {rollouts} rollouts ended after {clock.Elapsed.TotalSeconds:0} s");
                }
            }

            elapsed = clock.Elapsed;
            await service.StopAsync();
        }
        finally
        {
            Console.SetOut(console);
        }

        var injected = cluster.Server.Faults.Injected;
        cluster.Server.Faults.Clear();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var mine = cluster.Server.Audit.Records.Where(r => r.UserAgent.Contains("canarypilot/", StringComparison.Ordinal) && r.Resource != "leases").ToList();
        await observer.StopAsync();
        var (right, lost, statusLost, wrong) = observer.Judge(rollouts, failing);
        var shown = KubernetesJson.Serialize(await client.CustomObjects.ListNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", Namespace, "rolloutplans"))
            + KubernetesJson.Serialize(await client.CoreV1.ListNamespacedEventAsync(Namespace))
            + logs;
        var transitions = told.Select(n => ((string?)n["type"], (string?)n["data"]?["rollout"]?["rollout"], (int?)n["data"]?["rollout"]?["stage"])).ToList();
        await progress.WriteLineAsync($"api {(faulted ? "faulted" : "calm")}: {right} of {rollouts} right, {lost} lost, {statusLost} with a status write lost, in {elapsed.TotalSeconds:0} s; {logs.ToString().Count(c => c == '\n')} log lines kept");
        return new Outcome(
            right,
            lost,
            statusLost,
            mine.Count(r => r.Verb is "get" or "list"),
            mine.Count(r => r.Verb is "create" or "update" or "patch" or "delete"),
            mine.Count(r => r.Verb == "watch"),
            injected,
            elapsed,
            wrong)
        {
            Notifications = transitions.Count,
            Duplicates = transitions.Count - transitions.Distinct().Count(),
            Leaks = secrets.Count(secret => shown.Contains(secret, StringComparison.Ordinal)),
        };
    }

    private static async Task CreateObjectsAsync(k8s.Kubernetes client, int size, Uri prometheus, Uri webhook, string signingSecret)
    {
        foreach (var crd in CrdGenerator.Files().Values)
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd));
        }

        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        await client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "webhook" }, StringData = new Dictionary<string, string> { ["url"] = webhook.ToString(), ["signing-secret"] = signingSecret } },
            Namespace);
        await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, token) =>
        {
            var service = $"svc-{i}";
            await MeshObjects.CreateAsync(client, Namespace, service, token);
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
                {"apiVersion": "canarypilot.io/v1alpha1", "kind": "RolloutPlan", "metadata": {"name": "{{{service}}}", "namespace": "{{{Namespace}}}"},
                 "spec": {
                   "service": {"name": "{{{service}}}", "virtualServices": [{"name": "{{{service}}}"}],
                               "stable": {"host": "{{{service}}}", "subset": "v1", "workload": "{{{service}}}-v1"},
                               "canary": {"host": "{{{service}}}", "subset": "v2", "workload": "{{{service}}}-v2"}},
                   "stages": [{"weight": 10, "minDuration": "4s"}, {"weight": 50, "minDuration": "4s"}, {"weight": 100}],
                   "analysis": {"interval": "2s", "progressDeadline": "7m", "failureLimit": 1,
                                "missingData": {"minRequestVolume": 5, "maxDuration": "3m"},
                                "prometheus": {"address": "{{{prometheus}}}", "scrapeInterval": "1s"},
                                "metrics": [{"name": "success-rate", "template": "istio-success-rate", "window": "10s", "thresholds": {"min": 99}}] },
                   "notifications": [{"name": "audit", "webhook": {"urlFrom": {"secretKeyRef": {"name": "webhook", "key": "url"}}, "signingSecret": {"secretKeyRef": {"name": "webhook", "key": "signing-secret"} } } }] } }
                """)!, "canarypilot.io", "v1alpha1", Namespace, "rolloutplans", cancellationToken: token);
        });
    }

    /// <summary>Watches the plans and the VirtualServices unfaulted, and keeps what each went through.</summary>
    private sealed class Observer(k8s.Kubernetes client) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<string, List<(int Weight, int? Stage, string Phase, string? Started)>> _statuses = new();
        private readonly ConcurrentDictionary<string, List<int>> _weights = new();

        private readonly List<Task> _watches = [];

        public Task StartAsync()
        {
            _watches.Add(WatchAsync("canarypilot.io", "v1alpha1", "rolloutplans", OnPlan));
            _watches.Add(WatchAsync("networking.istio.io", "v1", "virtualservices", OnVirtualService));
            return Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        /// <summary>Ends the watches, so that what they saw can be judged without a lock.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await Task.WhenAll(_watches);
        }

        public int Ended() => _statuses.Values.Count(s => { lock (s) { return s is [.., { Phase: "Succeeded" or "RolledBack" or "Failed" }]; } });

        public (int Right, int Lost, int StatusLost, List<string> Wrong) Judge(int rollouts, int failing)
        {
            var (right, lost, statusLost) = (0, 0, 0);
            var wrong = new List<string>();
            for (var i = 0; i < rollouts; i++)
            {
                var name = $"svc-{i}";
                var statuses = _statuses.GetValueOrDefault(name) ?? [];
                var weights = _weights.GetValueOrDefault(name) ?? [];
                var expected = i < failing ? "RolledBack" : "Succeeded";
                var problems = new List<string>();
                var phase = statuses.Count == 0 ? "none" : statuses[^1].Phase;
                if (phase is not ("Succeeded" or "RolledBack" or "Failed"))
                {
                    lost++;
                    problems.Add($"no verdict (last {phase})");
                }
                else if (phase != expected)
                {
                    problems.Add($"ended {phase}, expected {expected}");
                }

                var stages = statuses.Where(s => s.Stage is not null && s.Started is not null).Select(s => (s.Stage!.Value, s.Started!)).Distinct().ToList();
                if (stages.GroupBy(s => s.Item1).Any(g => g.Count() > 1))
                {
                    problems.Add("a stage entered twice");
                }

                if (!stages.Select(s => s.Item1).SequenceEqual(Enumerable.Range(0, stages.Count)) || (expected == "Succeeded" && stages.Count != 3))
                {
                    problems.Add($"stages {string.Join(" → ", stages.Select(s => s.Item1))}");
                }

                // The status must have said every weight the mesh held, in order.
                var said = Collapse(statuses.Select(s => s.Weight));
                var held = Collapse(weights);
                if (!held.SequenceEqual(said.Where(held.Contains)) || !said.Where(w => w != 0).All(held.Contains))
                {
                    statusLost++;
                    problems.Add($"the mesh held {string.Join(" → ", held)}, the status said {string.Join(" → ", said)}");
                }

                if (problems.Count == 0)
                {
                    right++;
                }
                else
                {
                    wrong.Add($"{name}: {string.Join("; ", problems)}");
                }
            }

            return (right, lost, statusLost, wrong);
        }

        private static List<int> Collapse(IEnumerable<int> values)
        {
            var list = new List<int>();
            foreach (var value in values)
            {
                if (list.Count == 0 || list[^1] != value)
                {
                    list.Add(value);
                }
            }

            return list;
        }

        private void OnPlan(JsonNode item)
        {
            if (item["status"] is not { } status || (string?)item["metadata"]?["name"] is not { } name)
            {
                return;
            }

            var list = _statuses.GetOrAdd(name, _ => []);
            lock (list)
            {
                list.Add(((int?)status["canaryWeight"] ?? 0, (int?)status["stage"], (string?)status["phase"] ?? "", (string?)status["stageStartedAt"]));
            }
        }

        private void OnVirtualService(JsonNode item)
        {
            if ((string?)item["metadata"]?["name"] is not { } name)
            {
                return;
            }

            var weight = FaultBed.CanaryWeight(item, route: "primary");
            var list = _weights.GetOrAdd(name, _ => []);
            lock (list)
            {
                list.Add(weight);
            }
        }

        private Task WatchAsync(string group, string version, string plural, Action<JsonNode> onItem) =>
            FaultBed.WatchAsync(client, Namespace, group, version, plural, onItem, _stop.Token);

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }
    }

    /// <summary>Every workload's Istio request counters, growing at 20 requests a second; the first <paramref name="failing"/> canaries answer 30% 503.</summary>
    private sealed class WorkloadCounters(int size, int failing)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public async Task ServeAsync(HttpContext context)
        {
            var requests = 20 * _clock.Elapsed.TotalSeconds;
            var text = new StringBuilder("# TYPE istio_requests_total counter\n");
            for (var i = 0; i < size; i++)
            {
                foreach (var (version, errorRate) in new[] { ("v1", 0.0), ("v2", i < failing ? 0.3 : 0.0) })
                {
                    var errors = (long)(requests * errorRate);
                    foreach (var (code, count) in new[] { ("200", (long)requests - errors), ("503", errors) })
                    {
                        text.Append(CultureInfo.InvariantCulture, $"istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{Namespace}\",destination_workload=\"svc-{i}-{version}\",destination_version=\"{version}\",response_code=\"{code}\"}} {count}\n");
                    }
                }
            }

            context.Response.ContentType = "text/plain; version=0.0.4";
            await context.Response.WriteAsync(text.ToString());
        }
    }
}
