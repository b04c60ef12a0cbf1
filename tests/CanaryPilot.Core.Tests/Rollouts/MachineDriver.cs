using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Testing.Engine;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>Feeds a plan's rollout through the state machine as the engine would, on a fake clock, recording every action.</summary>
internal sealed class MachineDriver
{
    public MachineDriver(RolloutPlan plan, RolloutStatus? status = null, FakeTimeProvider? clock = null)
    {
        Plan = plan;
        Status = status ?? new RolloutStatus();
        Clock = clock ?? new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    }

    public RolloutPlan Plan { get; }

    public RolloutStatus Status { get; private set; }

    public FakeTimeProvider Clock { get; }

    public List<RolloutAction> Actions { get; } = [];

    /// <summary>How the workloads answer a readiness check; unchecked when null.</summary>
    public Func<CheckWorkloads, WorkloadsObserved>? Workloads { get; set; }

    /// <summary>The weights each ApplyTraffic set, in order; 100 for a promotion, 0 for a rollback.</summary>
    public IEnumerable<int> Weights => Actions.Select(a => a switch
    {
        ApplyTraffic apply => apply.Intent.CanaryWeight,
        FinalizeTraffic finalize => finalize.Promoted ? 100 : 0,
        _ => -1,
    }).Where(w => w >= 0);

    public IEnumerable<RolloutEventType> Announced => Actions.OfType<Announce>().Select(a => a.Type);

    /// <summary>Feeds an input; an accepted decision becomes the status, and ticks that need no waiting follow at once.</summary>
    public Decision Feed(RolloutInput input)
    {
        var decision = RolloutMachine.Decide(Plan, Status, input, Clock.GetUtcNow());
        if (!decision.Accepted)
        {
            return decision;
        }

        Status = decision.Status;
        Actions.AddRange(decision.Actions);
        if (decision.Actions.OfType<CheckWorkloads>().FirstOrDefault() is { } check)
        {
            // As an engine without a workload reader answers: tests of readiness feed their own WorkloadsObserved.
            return Feed(Workloads?.Invoke(check) ?? WorkloadsObserved.Unchecked(check));
        }

        return decision.TickAgain ? Feed(new Tick()) : decision;
    }

    /// <summary>Starts the rollout: Pending → Initializing → the first stage.</summary>
    public MachineDriver Start()
    {
        Feed(new Tick());
        return this;
    }

    /// <summary>One analysis interval passes and the analysis says <paramref name="verdict"/>.</summary>
    public Decision Analyze(Verdict verdict, bool critical = false, SequentialJudge.Evidence? evidence = null)
    {
        Clock.Advance(Plan.Spec.Analysis.Interval);
        return Feed(new Tick(Result(verdict, critical, evidence)));
    }

    public void AnalyzeTimes(int times, Verdict verdict)
    {
        for (var i = 0; i < times; i++)
        {
            Analyze(verdict);
        }
    }

    public AnalysisResult Result(Verdict verdict, bool critical = false, SequentialJudge.Evidence? evidence = null) => new(
        Clock.GetUtcNow(),
        Plan.Spec.Analysis.Metrics.Select(m => new MetricVerdict
        {
            Metric = m,
            Verdict = verdict,
            Reason = $"{m.Name} is {verdict}",
            Value = verdict is Verdict.Pass or Verdict.Fail ? 99.5 : null,
            CriticalBreached = critical,
            Evidence = evidence,
            Measurements = new MetricMeasurements(Measurement.Of($"query of {m.Name}", [])),
        }).ToList());

    public static RolloutPlan PlanWith(string extra = "", string stages = "[{weight: 5}, {weight: 25}, {weight: 50}, {weight: 100}]", string analysis = "") =>
        TestPlans.Reviews(extra, stages, analysis);

    /// <summary>A plan whose one metric, the 5xx rate, is judged sequentially.</summary>
    public static RolloutPlan SequentialPlanWith(string stages) =>
        TestPlans.Reviews(stages: stages, metrics: "[{name: errors, template: istio-error-rate-5xx, judge: sequential, compareToStable: {mode: relative, maxIncrease: 20, promoteWithin: 90}}]");
}

internal static class PlanExtensions
{
    /// <summary>The plan with a latency metric that allows the canary at most 8% above stable.</summary>
    public static RolloutPlan WithComparison(this RolloutPlan plan) => plan with
    {
        Spec = plan.Spec with
        {
            Analysis = plan.Spec.Analysis with
            {
                Metrics =
                [
                    .. plan.Spec.Analysis.Metrics,
                    new MetricSpec { Name = "latency", Template = "istio-request-duration-p99", CompareToStable = new StableComparison { MaxIncrease = 8 } },
                ],
            },
        },
    };
}
