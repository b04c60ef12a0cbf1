using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// CanaryPilot deciding: the real RolloutReconciler, state machine, analyzer, built-in Istio templates
/// and judge, ticked every analysis interval on a fake clock, with the cluster in memory and Prometheus
/// answered from the simulated traffic. Nothing of the decision is re-implemented here.
/// </summary>
/// <remarks>Every policy rolls back on 2 failed checks in a row; they differ in <paramref name="metricsYaml"/>, the plan's metrics, and may change the stages (10% → 50% by tens, a minute each, unless given) and the analysis interval (a minute).</remarks>
internal sealed class EnginePolicy(
    string name, string rules, string metricsYaml, string missingData = "{minRequestVolume: 50, maxDuration: 5m}", string stages = EnginePolicy.FiveStages, string interval = "1m") : IPolicy
{
    /// <summary>10% → 50% in steps of 10, a minute each at least.</summary>
    public const string FiveStages = "[{weight: 10, minDuration: 1m}, {weight: 20, minDuration: 1m}, {weight: 30, minDuration: 1m}, {weight: 40, minDuration: 1m}, {weight: 50, minDuration: 1m}]";

    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly RolloutPlan _plan = Plan(metricsYaml, missingData, stages, interval);

    public string Name => name;

    public string Rules => rules;

    public async Task<Outcome> RunAsync(RequestStream stream, Scenario scenario)
    {
        var time = new FakeTimeProvider(Start);
        var traffic = new RoutedTraffic(stream, scenario);
        var store = new MemoryStore(_plan);
        var analyzer = new Analyzer(new StreamMetrics(traffic, Start, _plan.Spec.Service.Canary.Workload!), TemplateCatalog.BuiltIn());
        var reconciler = new RolloutReconciler(store, new Router(traffic), (_, _) => ValueTask.FromResult(analyzer), new Silent(), time);
        var interval = _plan.Spec.Analysis.Interval;
        while (time.GetUtcNow() - Start < TimeSpan.FromSeconds(stream.Seconds) - interval)
        {
            var status = (await reconciler.ReconcileAsync(_plan.Namespace, _plan.Metadata.Name, new Tick(), CancellationToken.None)).Status!;
            if (RolloutMachine.IsTerminal(status.Phase))
            {
                return new Outcome(status.Phase == RolloutPhase.Succeeded, status.Phase == RolloutPhase.RolledBack, time.GetUtcNow() - Start);
            }

            time.Advance(interval);
        }

        return new Outcome(false, false, time.GetUtcNow() - Start);
    }

    private static RolloutPlan Plan(string metrics, string missingData, string stages, string interval)
    {
        var yaml = $$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              service:
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews, subset: v1, workload: reviews-v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2}
              stages: {{stages}}
              promotion: {afterLastStage: true}
              analysis:
                interval: {{interval}}
                failureLimit: 1
                failureCounting: consecutive
                missingData: {{missingData}}
                prometheus: {scrapeInterval: 1s}
                metrics:
            {{metrics}}
            """;
        var report = PlanValidation.Validate(new InputLoader().LoadText("benchmark-plan.yaml", yaml), TemplateCatalog.BuiltIn());
        return report.ValidPlans.SingleOrDefault()
            ?? throw new InvalidOperationException($"the benchmark's plan is invalid: {string.Join("; ", report.Diagnostics)}");
    }

    private sealed class MemoryStore(RolloutPlan plan) : IRolloutStore
    {
        private RolloutStatus _status = new();

        public Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<StoredRollout>>([Stored()]);

        public Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken) => Task.FromResult<StoredRollout?>(Stored());

        public Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken) =>
            Task.FromResult(_status = change(_status));

        private StoredRollout Stored() => new(plan.Namespace, plan.Metadata.Name, plan, [], _status, 1, "1");
    }

    /// <summary>The mesh: the weight the engine sets is the weight the next seconds' requests are routed by.</summary>
    private sealed class Router(RoutedTraffic traffic) : ITrafficRouter
    {
        public Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken) => Task.FromResult(Observation());

        public Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken)
        {
            traffic.Weight = intent.CanaryWeight;
            return Task.FromResult(Observation());
        }

        public Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken)
        {
            traffic.Weight = promoted ? 100 : 0;
            return Task.FromResult(Observation());
        }

        private TrafficObservation Observation() => new([new RouteSplit("bookinfo/reviews", "primary", 100 - traffic.Weight, traffic.Weight, false, null)]);
    }

    private sealed class Silent : IAnnouncer
    {
        public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
