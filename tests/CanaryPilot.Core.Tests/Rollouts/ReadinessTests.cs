using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>Traffic only grows where replicas can serve it: the canary's readiness, and its capacity, before each increase and before promotion.</summary>
public sealed class ReadinessTests
{
    private static WorkloadState Canary(int desired, int available, bool current = true) => new("Deployment", "bookinfo", "reviews-v2", desired, available, current);

    private static readonly WorkloadState Stable = new("Deployment", "bookinfo", "reviews-v1", 4, 4);

    private static MachineDriver Driver(string extra = "", string stages = "[{weight: 5}, {weight: 25}, {weight: 50}, {weight: 100}]", Func<WorkloadState?>? canary = null) =>
        new(MachineDriver.PlanWith(extra, stages)) { Workloads = check => WorkloadsObserved.Of(check, canary is null ? Canary(2, 2) : canary(), Stable) };

    [Fact]
    public void ACanaryWithNoAvailableReplicas_GetsNoTraffic_AndTheRolloutSaysWhy_Once()
    {
        var available = 0;
        var driver = Driver(canary: () => Canary(2, available)).Start();
        driver.Clock.Advance(TimeSpan.FromMinutes(1));
        driver.Feed(new Tick());

        Assert.Equal(RolloutPhase.Initializing, driver.Status.Phase);
        Assert.Empty(driver.Weights);
        Assert.Equal("the canary's Deployment bookinfo/reviews-v2 has 0 of 2 replicas available; 2 (100%) must be before it takes 5% of the traffic at stage 1 (5%)", driver.Status.WorkloadHold);
        Assert.Single(driver.Announced, RolloutEventType.TrafficHeld);

        available = 2;
        driver.Clock.Advance(TimeSpan.FromMinutes(1));
        driver.Feed(new Tick());

        Assert.Equal((RolloutPhase.Progressing, 0), (driver.Status.Phase, driver.Status.Stage));
        Assert.Null(driver.Status.WorkloadHold);
        Assert.Equal([5], driver.Weights);
    }

    [Fact]
    public void MinReady_IsAShareOfTheDesiredReplicas()
    {
        var driver = Driver("  readiness: {minReady: 50}", canary: () => Canary(4, 2)).Start();

        Assert.Equal([5], driver.Weights);
    }

    [Fact]
    public void WithCapacityChecks_AStageAndThePromotion_WaitForReplicasForTheirShare()
    {
        var available = 2;
        var driver = Driver("  readiness: {capacity: true}", "[{weight: 25}, {weight: 100}]", () => Canary(available, available)).Start();
        driver.Analyze(Verdict.Pass);

        Assert.Equal(0, driver.Status.Stage);
        Assert.Equal("for capacity, 100% of the traffic at stage 2 (100%) needs 4 available replicas (100% of the stable's Deployment bookinfo/reviews-v1 with 4); the canary's Deployment bookinfo/reviews-v2 has 2", driver.Status.WorkloadHold);

        available = 4;
        driver.Analyze(Verdict.Pass);
        Assert.Equal(1, driver.Status.Stage);

        available = 3;
        driver.Analyze(Verdict.Pass);
        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        Assert.Contains("all the traffic needs 4 available replicas", driver.Status.WorkloadHold, StringComparison.Ordinal);

        available = 4;
        driver.Analyze(Verdict.Pass);
        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
        Assert.Equal([25, 100, 100], driver.Weights);
    }

    [Fact]
    public void AStatusOlderThanTheSpec_IsNotReadiness()
    {
        var driver = Driver(canary: () => Canary(2, 2, current: false)).Start();

        Assert.Equal("the canary's Deployment bookinfo/reviews-v2 has not yet reported on its latest change", driver.Status.WorkloadHold);
    }

    [Fact]
    public void ANameThatIsNoWorkload_IsToldOnce_AndNotChecked()
    {
        var driver = Driver(canary: () => null).Start();
        driver.AnalyzeTimes(4, Verdict.Pass);

        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
        Assert.Single(driver.Announced, RolloutEventType.WorkloadNotChecked);
        Assert.Contains(driver.Status.Conditions, c => c is { Type: "WorkloadChecked", Reason: "NotAWorkload" });
    }

    [Fact]
    public void ANameThatIsNoWorkload_HoldsTheRollout_WhenTheCheckIsRequired()
    {
        var driver = Driver("  readiness: {check: required}", canary: () => null).Start();

        Assert.Equal(RolloutPhase.Initializing, driver.Status.Phase);
        Assert.Contains("neither a Deployment nor a StatefulSet in namespace bookinfo, and the plan requires its readiness check", driver.Status.WorkloadHold, StringComparison.Ordinal);
    }

    [Fact]
    public void AHoldPastTheProgressDeadline_RollsBack()
    {
        var driver = Driver("", canary: () => Canary(2, 0)).Start();
        var plan = driver.Plan with { Spec = driver.Plan.Spec with { Analysis = driver.Plan.Spec.Analysis with { ProgressDeadline = TimeSpan.FromMinutes(5) } } };
        var late = new MachineDriver(plan, driver.Status, driver.Clock) { Workloads = driver.Workloads };
        late.Clock.Advance(TimeSpan.FromMinutes(6));

        late.Feed(new Tick());

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.ProgressDeadline), (late.Status.Phase, late.Status.Cause));
    }

    [Fact]
    public void ACheckOff_MovesTrafficWithoutLooking()
    {
        var driver = Driver("  readiness: {check: off}", canary: () => throw new InvalidOperationException("the workloads were read")).Start();

        Assert.Equal([5], driver.Weights);
    }
}
