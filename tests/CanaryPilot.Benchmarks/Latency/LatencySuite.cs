using System.Globalization;
using System.Text.Json.Nodes;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;
using CanaryPilot.Demo;
using CanaryPilot.Hosting;
using CanaryPilot.Sandbox.Mesh;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Benchmarks.Latency;

/// <summary>
/// Decision latency: in the sandbox with a real Prometheus (scrape 1 s) and the real engine (analysis every
/// 5 s, the sequential judge, the continuous guard), a canary at 20% starts answering half its requests with
/// 5xx at a known instant; measured is the time from that instant until the VirtualService sends all traffic
/// to stable, as a watch on it sees.
/// </summary>
internal static class LatencySuite
{
    /// <summary>The canary fails this long after the mesh starts, plus a random part of an interval, so runs sample every phase of the tick.</summary>
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Scrape = TimeSpan.FromSeconds(1);

    private const string PlanYaml = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          service:
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
          stages: [{weight: 20, minDuration: 10m}, {weight: 100}]
          analysis:
            interval: 5s
            failureLimit: 0
            judge: sequential
            missingData: {minRequestVolume: 5, maxDuration: 1m}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - {name: errors, template: istio-error-rate-5xx, compareToStable: {maxIncrease: 20}}
        """;

    public static async Task<string> RunAsync(int runs, TextWriter progress)
    {
        var seconds = new List<double>();
        var discarded = 0;
        for (var run = 1; run <= runs; run++)
        {
            var latency = await OnceAsync();
            if (latency is { } value)
            {
                seconds.Add(value.TotalSeconds);
            }
            else
            {
                discarded++;
            }

            await progress.WriteLineAsync($"latency: run {run}/{runs}: {(latency is { } l ? $"{l.TotalSeconds:0.00} s" : "discarded (not at 20% when the canary began failing)")}");
        }

        seconds.Sort();
        var table = new Table("runs", "median", "p95", "min – max", "goal");
        table.Add(
            seconds.Count.ToString(CultureInfo.InvariantCulture),
            $"{Percentile(seconds, 0.5):0.00} s",
            $"{Percentile(seconds, 0.95):0.00} s",
            seconds.Count == 0 ? "—" : $"{seconds[0]:0.00} – {seconds[^1]:0.00} s",
            "median ≤ 3 s, p95 ≤ 4 s");
        return $"""
            The sandbox (API emulator, simulated bookinfo `reviews` at 200 requests/s, a real Prometheus
            scraping every {Scrape.TotalSeconds:0} s) and the real engine, as `canarypilot run` wires it: the sequential judge
            on the 5xx counts (`istio-error-rate-5xx`, tolerance 20% above stable, confidence 0.99), analysing
            every {Interval.TotalSeconds:0} s, and the continuous guard looking every scrape. The canary holds 20% of traffic
            when, {FailAfter.TotalSeconds:0}–{(FailAfter + Interval).TotalSeconds:0} s after the mesh starts (uniformly at random, so the runs meet every phase of
            the tick and of the scrapes), it begins to answer half its requests with 5xx. Measured: from that
            instant until a watch on the VirtualService sees the canary's weight at 0. A fresh sandbox per run{(discarded > 0 ? $"; {discarded} run(s) discarded because the rollout was not yet at 20% when the failure began" : "")}.

            {table.ToMarkdown()}

            All runs: {string.Join(", ", seconds.Select(s => s.ToString("0.00", CultureInfo.InvariantCulture)))} s.

            Where the time goes: the failing requests must first be scraped (the next scrape, up to 1 s) in
            numbers that are evidence — with 40 canary requests a second, half failing, one scrape's worth
            is plenty; then the guard's next look (it reads the counters at whole seconds, every scrape
            interval, one query for every rollout), the rollback's status write and the VirtualService
            write, milliseconds each. The analysis interval no longer matters: before the guard, the
            engine waited for its next tick (up to 5 s; median 6.25 s, p95 7.04 s on 2026-11-26), and a
            policy that needs several failed checks one interval apart waits several intervals — with
            Flagger's default 1-minute interval, minutes.
            """;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static async Task<TimeSpan?> OnceAsync()
    {
        var failing = new WorkloadBehavior { ErrorRate = 0.5, LatencyMedianMs = 7, LatencyP99Ms = 9 };
        var failAfter = FailAfter + Interval * Random.Shared.NextDouble();
        var canary = new SimulatedWorkload
        {
            Workload = "reviews-v2", Version = "v2", Host = "reviews", Subset = "v2", Behavior = DemoScenario.Healthy, Changes = [(failAfter, failing)],
        };
        var scenario = new DemoScenario("decision-latency", "the canary starts failing at 20%", canary, 200, RolloutPhase.RolledBack, RollbackCause.AnalysisFailed);
        await using var environment = await DemoEnvironment.StartAsync(scenario, CancellationToken.None);
        var failAt = environment.Mesh.Started + failAfter;

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var restored = WatchForStableAsync(environment.Cluster.Client, failAt, stop.Token);
        var input = new InputLoader().LoadText("latency-plan.yaml", PlanYaml);
        var plan = PlanValidation.Validate(input, TemplateCatalog.BuiltIn()).ValidPlans.Single();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Warning));
        services.AddRolloutEngine(new EngineSettings { Cluster = environment.Cluster.Configuration, Prometheus = environment.Prometheus.Address, Rule = CanaryPilot.Kubernetes.Rollouts.DrivingRule.ForCli() });
        var weightAtFailure = -1;
        await using (var engine = services.BuildServiceProvider())
        {
            var view = new RunView(new CliConsole(TextWriter.Null, TextWriter.Null), OutputFormat.Json, TimeProvider.System, color: false);
            var session = new RolloutSession(engine, plan, view, status =>
            {
                if (TimeProvider.System.GetUtcNow() < failAt)
                {
                    weightAtFailure = status.CanaryWeight;
                }

                return Task.CompletedTask;
            });
            await session.RunAsync(input.Documents[0], untilApproval: false, stop.Token);
        }

        var at = await restored;
        await stop.CancelAsync();
        return weightAtFailure == 20 && at is { } when ? when - failAt : null;
    }

    /// <summary>When, after <paramref name="after"/>, the VirtualService first sends the canary nothing.</summary>
    private static async Task<DateTimeOffset?> WatchForStableAsync(k8s.Kubernetes client, DateTimeOffset after, CancellationToken cancellationToken)
    {
        try
        {
            var events = client.CustomObjects.WatchListNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", cancellationToken: cancellationToken);
            await foreach (var (_, item) in events)
            {
                var now = TimeProvider.System.GetUtcNow();
                var routes = JsonNode.Parse(item.ToString()!)?["spec"]?["http"]?[0]?["route"]?.AsArray() ?? [];
                var canary = routes.FirstOrDefault(d => (string?)d?["destination"]?["subset"] == "v2")?["weight"]?.GetValue<int>() ?? 0;
                if (now > after && canary == 0)
                {
                    return now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return null;
    }
}
