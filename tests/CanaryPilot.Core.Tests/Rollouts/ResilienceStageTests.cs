using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Testing.Engine;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>A resilience stage: its faults are in force while it is judged, by thresholds alone, and never after.</summary>
public sealed class ResilienceStageTests
{
    private const string Stages = "[{weight: 25}, {kind: resilience, faults: [{host: ratings, delay: {fixedDelay: 2s, percentage: 50}}], thresholds: [{metric: latency, max: 1000}]}, {weight: 100}]";

    private static RolloutPlan Plan(string stages = Stages) => TestPlans.Reviews(
        stages: stages,
        metrics: """
            [{name: success-rate, template: istio-success-rate, thresholds: {min: 99}},
             {name: latency, template: istio-request-duration-p99, thresholds: {max: 500}, compareToStable: {maxIncrease: 8}},
             {name: errors-vs-stable, template: istio-error-rate-5xx, compareToStable: {maxIncrease: 10}}]
            """.ReplaceLineEndings(" "));

    private static MachineDriver AtTheResilienceStage(RolloutPlan? plan = null)
    {
        var driver = new MachineDriver(plan ?? Plan()).Start();
        driver.Analyze(Verdict.Pass);
        Assert.Equal(1, driver.Status.Stage);
        return driver;
    }

    [Fact]
    public void TheStage_KeepsTheWeightBeforeIt_AndAppliesItsFaults()
    {
        var driver = AtTheResilienceStage();

        var applied = driver.Actions.OfType<ApplyTraffic>().Last().Intent;
        Assert.Equal((25, "ratings"), (applied.CanaryWeight, Assert.Single(applied.Faults).Host));
        Assert.Equal("stage 2 of 3: resilience 25% (ratings)", driver.Status.Message);
    }

    [Fact]
    public void TheStage_IsJudgedByThresholdsAlone_TheStagesOwnInPlaceOfTheMetrics()
    {
        var judged = Plan().JudgedAt(1).Spec.Analysis.Metrics;

        // The metric compared with the stable alone is not judged: the stable sees no faults.
        Assert.Equal(["success-rate", "latency"], judged.Select(m => m.Name));
        var latency = judged[1];
        Assert.Equal((null, (double?)1000, (StableComparison?)null), (latency.Thresholds!.Min, latency.Thresholds.Max, latency.CompareToStable));
        // Any other stage judges the plan as it is.
        var plan = Plan();
        Assert.Same(plan.Spec.Analysis, plan.Spec.AnalysisAt(2));
        Assert.Same(plan, plan.JudgedAt(0));
    }

    [Fact]
    public void LeavingTheStage_TakesTheFaultsOut_AndItsCountsAreNotCarried()
    {
        var driver = AtTheResilienceStage();

        driver.Analyze(Verdict.Pass);

        var next = driver.Actions.OfType<ApplyTraffic>().Last().Intent;
        Assert.Equal((100, 0), (next.CanaryWeight, next.Faults.Count));
        Assert.DoesNotContain(driver.Status.Counted, c => c.Stage == 1);
    }

    [Fact]
    public void WaitingForApproval_OrPaused_TheFaultsComeOff_AndAResumePutsThemBack()
    {
        var driver = AtTheResilienceStage(Plan(Stages.Replace("max: 1000}]}", "max: 1000}], approval: required}", StringComparison.Ordinal)));

        driver.Analyze(Verdict.Pass);

        Assert.Equal(RolloutPhase.AwaitingApproval, driver.Status.Phase);
        Assert.Empty(driver.Actions.OfType<ApplyTraffic>().Last().Intent.Faults);

        driver = AtTheResilienceStage();
        driver.Feed(new PauseCommand());
        Assert.Empty(driver.Actions.OfType<ApplyTraffic>().Last().Intent.Faults);
        Assert.Empty(RolloutMachine.RecoveryActions(driver.Plan, driver.Status).OfType<ApplyTraffic>().Single().Intent.Faults);

        driver.Feed(new ResumeCommand());
        Assert.Single(driver.Actions.OfType<ApplyTraffic>().Last().Intent.Faults);
    }

    [Fact]
    public void EveryWayOut_EndsInTheMeshWithoutTheFaults()
    {
        var aborted = AtTheResilienceStage();
        aborted.Feed(new AbortCommand());
        var rolledBack = AtTheResilienceStage();
        rolledBack.AnalyzeTimes(2, Verdict.Fail); // one more than the failure limit
        var promoted = AtTheResilienceStage();
        promoted.Feed(new PromoteCommand());

        foreach (var driver in new[] { aborted, rolledBack, promoted })
        {
            // FinalizeTraffic takes every fault of the plan out, whatever the stage.
            Assert.IsType<FinalizeTraffic>(driver.Actions.Last(a => a is ApplyTraffic or FinalizeTraffic));
            Assert.True(RolloutMachine.IsTerminal(driver.Status.Phase));
        }
    }

    [Fact]
    public void TheStableValuesMeasuredBefore_AreKept_ForALaterStageAt100()
    {
        var driver = new MachineDriver(Plan()).Start();
        driver.Clock.Advance(driver.Plan.Spec.Analysis.Interval);
        driver.Feed(new Tick(new AnalysisResult(driver.Clock.GetUtcNow(), [.. driver.Plan.Spec.Analysis.Metrics.Select(m => new MetricVerdict
        {
            Metric = m,
            Verdict = Verdict.Pass,
            Reason = "fine",
            Value = 20,
            StableValue = 19,
            Measurements = new MetricMeasurements(Measurement.Of("q", [])),
        })])));

        driver.Clock.Advance(driver.Plan.Spec.Analysis.Interval);
        driver.Feed(new Tick(new AnalysisResult(driver.Clock.GetUtcNow(), [.. driver.Plan.Spec.AnalysisAt(1).Metrics.Select(m => new MetricVerdict
        {
            Metric = m,
            Verdict = Verdict.Pass,
            Reason = "fine under faults",
            Value = 300,
            Measurements = new MetricMeasurements(Measurement.Of("q", [])),
        })])));

        Assert.Equal(2, driver.Status.Stage);
        Assert.Equal(StageEvidence.StableBaselines(driver.Status), new Dictionary<string, double> { ["success-rate"] = 19, ["latency"] = 19, ["errors-vs-stable"] = 19 });
    }
}
