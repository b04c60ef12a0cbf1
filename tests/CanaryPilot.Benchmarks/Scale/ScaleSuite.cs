using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Sandbox;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Scheduling;
using CanaryPilot.Service;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Benchmarks.Scale;

/// <summary>
/// Scale: N rollouts in progress at once, driven by one <c>canarypilot serve</c> in this process. The
/// Kubernetes API emulator runs in a process of its own (<c>canarypilot sandbox</c>) and Prometheus is the
/// real server, scraping every workload's counters each second, so the CPU and memory measured here are the
/// controller's. Measured over a minute of steady state: the scheduler's lag (a job's start minus its due
/// time), CPU, peak memory, and the requests to Kubernetes and to Prometheus per tick.
/// </summary>
internal static class ScaleSuite
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Measure = TimeSpan.FromSeconds(60);
    private const string Namespace = "scale";

    public static async Task<string> RunAsync(IReadOnlyList<int> sizes, IReadOnlyList<int> guardSizes, TextWriter progress)
    {
        var core = await CoreAsync(sizes, progress);
        var guarded = guardSizes.Count == 0 ? "" : await GuardedAsync(guardSizes, progress);
        return core + guarded;
    }

    /// <summary>The same setup with the sequential judge and the continuous guard: what the guard costs Prometheus, and the controller.</summary>
    private static async Task<string> GuardedAsync(IReadOnlyList<int> sizes, TextWriter progress)
    {
        var table = new Table(
            "rollouts", "lag p99", "rollouts not ticked", "CPU (cores)", "peak working set", "Prometheus requests / s", "of which the guard's", "guard's looks / rollout / s", "ticks' Prometheus requests / rollout / tick");
        foreach (var size in sizes)
        {
            var result = await OnceAsync(size, sequential: true, progress);
            var guard = result.GuardRequests / Measure.TotalSeconds;
            table.Add(
                size.ToString("N0", CultureInfo.InvariantCulture),
                Ms(result.Lags, 0.99),
                (size - result.Ticked).ToString("N0", CultureInfo.InvariantCulture),
                result.Cores.ToString("0.00", CultureInfo.InvariantCulture),
                $"{result.PeakMemoryBytes / (1 << 20)} MiB",
                (result.PrometheusPerTick / Interval.TotalSeconds).ToString("N0", CultureInfo.InvariantCulture),
                guard.ToString("0.#", CultureInfo.InvariantCulture),
                (result.GuardLooks / Measure.TotalSeconds / size).ToString("0.##", CultureInfo.InvariantCulture),
                (((result.PrometheusPerTick * (Measure / Interval)) - result.GuardRequests) / result.RolloutTicks).ToString("0.##", CultureInfo.InvariantCulture));
        }

        return $"""


            **With the sequential judge and the continuous guard.** The same setup, with the plans judged by
            `judge: sequential` on `istio-error-rate-5xx` (tolerance 20% above stable), the endpoint
            exporting both versions' request and 5xx counters (the canary 10, stable 90 requests a second,
            0.5% errors each), and the guard looking at every rollout every second:

            {table.ToMarkdown()}

            The guard's requests do not grow with the rollouts: each look reads the totals of every workload
            — two queries a second (events and requests), plus the totals at the instants stages began, read
            once per stage — where a query per rollout would be thousands a second. The ticks' own requests
            per rollout are those of the sequential judge: its four counts and the canary's value. At 5,000
            rollouts those (2,000 and more a second) saturate this 2-core machine's Prometheus and ticks run
            late; the guard still looked but sent almost no queries, which its rule explains — reads more than
            five scrapes apart end its watch of a stage, as a counter reset could hide in the gap — though
            this run did not log why. The ticks judged alone.
            """;
    }

    private static async Task<string> CoreAsync(IReadOnlyList<int> sizes, TextWriter progress)
    {
        var table = new Table(
            "rollouts", "lag p50", "lag p99", "lag max", "between ticks p99", "between ticks max", "jobs run", "rollouts not ticked", "CPU (cores)", "peak working set", "managed heap retained",
            "Kubernetes GET + LIST / rollout / tick", "Kubernetes writes / rollout / tick", "watches opened", "Lease calls / s", "Prometheus requests / tick", "distinct queries / tick");
        foreach (var size in sizes)
        {
            var result = await OnceAsync(size, sequential: false, progress);
            table.Add(
                size.ToString("N0", CultureInfo.InvariantCulture),
                Ms(result.Lags, 0.50),
                Ms(result.Lags, 0.99),
                Ms(result.Lags, 1.0),
                Seconds(result.Gaps, 0.99),
                Seconds(result.Gaps, 1.0),
                result.Lags.Count.ToString("N0", CultureInfo.InvariantCulture),
                (size - result.Ticked).ToString("N0", CultureInfo.InvariantCulture),
                result.Cores.ToString("0.00", CultureInfo.InvariantCulture),
                $"{result.PeakMemoryBytes / (1 << 20)} MiB",
                $"{result.RetainedBytes / (1 << 20)} MiB",
                (result.Reads / result.RolloutTicks).ToString("0.###", CultureInfo.InvariantCulture),
                (result.Writes / result.RolloutTicks).ToString("0.###", CultureInfo.InvariantCulture),
                result.Watches.ToString("N0", CultureInfo.InvariantCulture),
                (result.LeaseCalls / Measure.TotalSeconds).ToString("0.#", CultureInfo.InvariantCulture),
                result.PrometheusPerTick.ToString("N0", CultureInfo.InvariantCulture),
                result.DistinctQueriesPerTick.ToString("N0", CultureInfo.InvariantCulture));
        }

        return $"""
            Each size is a fresh setup: the API emulator in its own process with N VirtualServices,
            DestinationRules and RolloutPlans; a real Prometheus scraping every 1 s an endpoint with the
            Istio request counters of all N canaries; one `canarypilot serve` in this process, elected leader,
            driving every plan (one stage held at 10%, one metric, `istio-success-rate`, analysed every
            {Interval.TotalSeconds:0} s). Once every rollout is progressing, {Measure.TotalSeconds:0} s are measured
            ({Measure / Interval:0} ticks of each rollout).

            {table.ToMarkdown()}

            - **lag**: for every job run in the window, its start minus its due time, from a Quartz job listener.
              A tick due more than the scheduler's misfire threshold (5 s) ago is skipped, not stacked, so under
              overload the time **between ticks** (one rollout's consecutive ticks, due every {Interval.TotalSeconds:0} s) grows;
              **rollouts not ticked** counts those that had no tick in the window at all.
            - **CPU** and **memory**: this process only (the controller; the emulator and Prometheus run
              apart). CPU is processor time over wall time; the peak working set is sampled every second
              of the window; the managed heap retained is what a full, compacting collection leaves at
              its end — what the rollouts themselves hold.
            - **requests**: calls counted by the service's own `canarypilot_outbound_request_duration_seconds`
              (by `verb`) over the window. **GET + LIST** and **writes** (create, update, patch) are divided by the
              rollouts' ticks in the window (jobs run): a tick reads its plan, its templates and its VirtualService
              from the watch cache and writes its status once. **watches opened** is the cache's own traffic in
              the window, apart: one long request per kind and namespace, opened again only when one ends.
              **Lease calls** are the leader election's (a read and a renewal every 2 s), whatever the size.
              **distinct queries / tick** is the number of different rendered queries all rollouts need per tick
              (here one each, with request-volume checks off), the most Prometheus requests there should be.
            """;
    }

    private sealed record Result(
        List<double> Lags,
        List<double> Gaps,
        int Ticked,
        double Cores,
        long PeakMemoryBytes,
        long RetainedBytes,
        double Reads,
        double Writes,
        double Watches,
        double LeaseCalls,
        double RolloutTicks,
        double PrometheusPerTick,
        int DistinctQueriesPerTick,
        double GuardRequests = 0,
        double GuardLooks = 0);

    private static string Seconds(List<double> sortedMs, double q) =>
        sortedMs.Count == 0 ? "—" : $"{sortedMs[Math.Clamp((int)Math.Ceiling(q * sortedMs.Count) - 1, 0, sortedMs.Count - 1)] / 1000:0.0} s";

    private static string Ms(List<double> sortedMs, double q) =>
        sortedMs.Count == 0 ? "—" : $"{sortedMs[Math.Clamp((int)Math.Ceiling(q * sortedMs.Count) - 1, 0, sortedMs.Count - 1)]:0} ms";

    private static async Task<Result> OnceAsync(int size, bool sequential, TextWriter progress)
    {
        var directory = Directory.CreateTempSubdirectory("canarypilot-scale-");
        using var sandbox = StartSandbox(Path.Combine(directory.FullName, "kubeconfig"));
        try
        {
            var cluster = await WaitForKubeconfigAsync(Path.Combine(directory.FullName, "kubeconfig"));
            using var client = new k8s.Kubernetes(cluster);
            var counters = new WorkloadCounters(size, sequential);
            var (metricsApp, metricsAddress) = await LoopbackServer.StartAsync(counters.ServeAsync);
            await using var _ = metricsApp;
            await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [new Uri(metricsAddress, "/metrics")] });

            await progress.WriteLineAsync($"scale {size}: creating {size} VirtualServices, DestinationRules and RolloutPlans");
            await CreateObjectsAsync(client, size, prometheus.Address, sequential);

            var options = new ServiceOptions { Port = 0, Lease = $"{Namespace}/canarypilot-controller", Identity = "scale-benchmark" };
            await using var service = ServiceHost.Build(options, cluster, TokenStore.Parse("", "none"));
            var lags = new LagListener();
            var quartz = await service.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            // The rollouts' jobs: every group but the guard's.
            quartz.ListenerManager.AddJobListener(lags, GroupMatcher<JobKey>.GroupEquals(Namespace));
            await service.StartAsync();

            await progress.WriteLineAsync($"scale {size}: waiting for every rollout to progress");
            try
            {
                await WaitForProgressAsync(service.Services.GetRequiredService<IRolloutStore>(), size, TimeSpan.FromMinutes(15), progress);
            }
            catch (TimeoutException)
            {
                // Say which jobs hang (started, never finished) and which never started: a job that never
                // ends holds one of the scheduler's slots for good, and enough of them stop every rollout.
                var hung = lags.Running.Count(r => r.Value > 0);
                await progress.WriteLineAsync($"scale {size}: jobs started {lags.Started.Count}, running now {hung}; e.g. {string.Join(", ", lags.Running.Where(r => r.Value > 0).Take(5).Select(r => r.Key))}");
                var triggers = new List<string>();
                foreach (var key in (await quartz.GetTriggerKeys(GroupMatcher<TriggerKey>.AnyGroup())).Where(k => !lags.Started.ContainsKey(new JobKey(k.Name, k.Group))).Take(5))
                {
                    var trigger = await quartz.GetTrigger(key);
                    triggers.Add($"{key} {await quartz.GetTriggerState(key)} start {trigger?.StartTimeUtc} final {trigger?.FinalFireTimeUtc}");
                }

                await progress.WriteLineAsync($"scale {size}: never started: {string.Join("; ", triggers)}");
                throw;
            }

            // Measure from steady state: every rollout through two more ticks.
            var settled = lags.Completed + (2 * size);
            await WaitAsync(() => lags.Completed >= settled, TimeSpan.FromMinutes(5), $"{size} rollouts to tick twice more");

            var metrics = service.Services.GetRequiredService<ServiceMetrics>();
            var guard = service.Services.GetRequiredService<ContinuousGuard>();
            var before = await OutboundAsync(metrics);
            var (guardRequests, guardLooks) = (guard.Requests, guard.Looks);
            var self = Process.GetCurrentProcess();
            var cpuBefore = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            lags.Recording = true;
            long peak = 0;
            while (clock.Elapsed < Measure)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                self.Refresh();
                peak = Math.Max(peak, self.WorkingSet64);
            }

            lags.Recording = false;
            self.Refresh();
            var cores = (self.TotalProcessorTime - cpuBefore).TotalSeconds / clock.Elapsed.TotalSeconds;
            var after = await OutboundAsync(metrics);
            (guardRequests, guardLooks) = (guard.Requests - guardRequests, guard.Looks - guardLooks);
            var ticks = clock.Elapsed / Interval;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var retained = GC.GetTotalMemory(forceFullCollection: true);
            await service.StopAsync();
            // The rollouts' own calls; the leader election's renewals of its Lease are counted apart.
            double Rollouts(params string[] verbs) => verbs.Sum(v => after.Count("kubernetes", v, lease: false) - before.Count("kubernetes", v, lease: false));
            double Leases() => after.Count("kubernetes", null, lease: true) - before.Count("kubernetes", null, lease: true);
            return new Result(
                [.. lags.Lags.Order()],
                [.. lags.Gaps.Order()],
                lags.Ticked.Count,
                cores,
                peak,
                retained,
                Rollouts("get", "list"),
                Rollouts("create", "update", "patch"),
                Rollouts("watch"),
                Leases(),
                Math.Max(1, lags.Lags.Count),
                (after.Count("prometheus", null, lease: false) - before.Count("prometheus", null, lease: false)) / ticks,
                size * (sequential ? 5 : 1),
                guardRequests,
                guardLooks);
        }
        finally
        {
            sandbox.Kill(entireProcessTree: true);
            await sandbox.WaitForExitAsync();
            directory.Delete(recursive: true);
        }
    }

    private static Process StartSandbox(string kubeconfig)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"));
        foreach (var arg in new[] { "sandbox", "--port", "0", "--kubeconfig", kubeconfig })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<KubernetesClientConfiguration> WaitForKubeconfigAsync(string path)
    {
        await WaitAsync(() => File.Exists(path) && new FileInfo(path).Length > 0, TimeSpan.FromMinutes(1), "the sandbox's kubeconfig");
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(path);
    }

    private static async Task CreateObjectsAsync(k8s.Kubernetes client, int size, Uri prometheus, bool sequential)
    {
        var judged = sequential
            ? """ "judge": "sequential", "metrics": [{"name": "errors", "template": "istio-error-rate-5xx", "compareToStable": {"maxIncrease": 20} } ] """
            : """ "metrics": [{"name": "success-rate", "template": "istio-success-rate", "thresholds": {"min": 99} } ] """;
        foreach (var crd in CrdGenerator.Files().Values)
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd));
        }

        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
        {
            var service = $"svc-{i}";
            await MeshObjects.CreateAsync(client, Namespace, service, token);
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
                {"apiVersion": "canarypilot.io/v1alpha1", "kind": "RolloutPlan", "metadata": {"name": "{{{service}}}", "namespace": "{{{Namespace}}}"},
                 "spec": {
                   "service": {"name": "{{{service}}}", "virtualServices": [{"name": "{{{service}}}"}],
                               "stable": {"host": "{{{service}}}", "subset": "v1", "workload": "{{{service}}}-v1"},
                               "canary": {"host": "{{{service}}}", "subset": "v2", "workload": "{{{service}}}-v2"}},
                   "stages": [{"weight": 10, "minDuration": "1h"}, {"weight": 100}],
                   "analysis": {"interval": "{{{(int)Interval.TotalSeconds}}}s", "progressDeadline": "2h",
                                "missingData": {"minRequestVolume": 0, "maxDuration": "1h"},
                                "prometheus": {"address": "{{{prometheus}}}", "scrapeInterval": "1s"},
                                {{{judged}}} } } }
                """)!, "canarypilot.io", "v1alpha1", Namespace, "rolloutplans", cancellationToken: token);
        });
    }

    /// <summary>Waits until every rollout progresses at 10%, as the controller's own cache sees them (a list of thousands from here would weigh on the process measured).</summary>
    private static async Task WaitForProgressAsync(IRolloutStore store, int size, TimeSpan timeout, TextWriter progress)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var rollouts = await store.ListAsync(CancellationToken.None);
            var behind = rollouts.Where(r => r.Status is not { Phase: RolloutPhase.Progressing, CanaryWeight: 10 }).ToList();
            if (behind.Count == 0 && rollouts.Count == size)
            {
                return;
            }

            var some = behind.Count <= 3 ? $" (behind: {string.Join(", ", behind.Select(r => $"{r.Name} rv {r.ResourceVersion} {r.Status.Phase} {r.Status.CanaryWeight}%"))})" : "";
            await progress.WriteLineAsync($"scale {size}: {rollouts.Count - behind.Count} of {rollouts.Count} progressing after {deadline.Elapsed.TotalSeconds:0} s{some}");
            await Task.Delay(TimeSpan.FromSeconds(5));
        }

        throw new TimeoutException($"not every one of {size} rollouts progressed within {timeout}");
    }

    /// <summary>Waits until <paramref name="condition"/> holds, checking every 100 ms, or throws after <paramref name="timeout"/>.</summary>
    private static async Task WaitAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out after {timeout} waiting for {what}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Calls so far by target and verb, from the service's own metrics.</summary>
    private static async Task<Calls> OutboundAsync(ServiceMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(stream);
        var lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n')
            .Where(l => l.StartsWith("canarypilot_outbound_request_duration_seconds_count{", StringComparison.Ordinal))
            .ToList();
        return new Calls(lines);
    }

    private sealed class Calls(List<string> lines)
    {
        /// <summary>Calls to <paramref name="target"/> of <paramref name="verb"/> (any when null), to the Lease or to everything else.</summary>
        public double Count(string target, string? verb, bool lease) => lines
            .Where(l => l.Contains($"target=\"{target}\"", StringComparison.Ordinal)
                && (verb is null || l.Contains($"verb=\"{verb}\"", StringComparison.Ordinal))
                && l.Contains("resource=\"leases\"", StringComparison.Ordinal) == lease)
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>How late each job started: its start minus the time it was due.</summary>
    private sealed class LagListener : IJobListener
    {
        public ConcurrentBag<double> Lags { get; } = [];

        /// <summary>For every rollout's tick in the window after its first: the time since its previous tick started.</summary>
        public ConcurrentBag<double> Gaps { get; } = [];

        private readonly ConcurrentDictionary<JobKey, DateTimeOffset> _lastStart = new();

        /// <summary>The rollouts that ticked at least once in the window.</summary>
        public ConcurrentDictionary<JobKey, bool> Ticked { get; } = new();

        public volatile bool Recording;

        public string Name => "lag";

        public ConcurrentDictionary<JobKey, int> Running { get; } = new();

        public ConcurrentDictionary<JobKey, bool> Started { get; } = new();

        public ValueTask JobToBeExecuted(IJobExecutionContext context, CancellationToken cancellationToken = default)
        {
            var now = DateTimeOffset.UtcNow;
            Started[context.JobDetail.Key] = true;
            Running.AddOrUpdate(context.JobDetail.Key, 1, (_, n) => n + 1);
            var previous = _lastStart.TryGetValue(context.JobDetail.Key, out var last) ? last : (DateTimeOffset?)null;
            _lastStart[context.JobDetail.Key] = now;
            if (Recording && context.ScheduledFireTimeUtc is { } due)
            {
                Lags.Add((now - due).TotalMilliseconds);
                Ticked[context.JobDetail.Key] = true;
                if (previous is { } before)
                {
                    Gaps.Add((now - before).TotalMilliseconds);
                }
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask JobExecutionVetoed(IJobExecutionContext context, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        private int _completed;

        /// <summary>Jobs that have finished, whenever.</summary>
        public int Completed => Volatile.Read(ref _completed);

        public ValueTask JobWasExecuted(IJobExecutionContext context, JobExecutionException? jobException, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _completed);
            Running.AddOrUpdate(context.JobDetail.Key, 0, (_, n) => n - 1);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The Istio request counters of every canary, each growing at 10 requests a second, as one scrape target;
    /// for the sequential judge also every stable's (90 a second) and both versions' 5xx (0.5%).
    /// </summary>
    private sealed class WorkloadCounters(int size, bool bothVersions)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public async Task ServeAsync(HttpContext context)
        {
            var seconds = _clock.Elapsed.TotalSeconds;
            var text = new StringBuilder(size * (bothVersions ? 640 : 160));
            text.Append("# TYPE istio_requests_total counter\n");
            for (var i = 0; i < size; i++)
            {
                Series(text, $"svc-{i}-v2", 10 * seconds);
                if (bothVersions)
                {
                    Series(text, $"svc-{i}-v1", 90 * seconds);
                }
            }

            context.Response.ContentType = "text/plain; version=0.0.4";
            await context.Response.WriteAsync(text.ToString());
        }

        private void Series(StringBuilder text, string workload, double requests)
        {
            var errors = bothVersions ? (long)(requests * 0.005) : 0;
            text.Append(CultureInfo.InvariantCulture, $"istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{Namespace}\",destination_workload=\"{workload}\",response_code=\"200\"}} {(long)requests - errors}\n");
            if (bothVersions)
            {
                text.Append(CultureInfo.InvariantCulture, $"istio_requests_total{{reporter=\"destination\",destination_workload_namespace=\"{Namespace}\",destination_workload=\"{workload}\",response_code=\"503\"}} {errors}\n");
            }
        }
    }
}
