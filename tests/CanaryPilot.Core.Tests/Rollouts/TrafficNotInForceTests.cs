using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>A stage whose traffic a route's parent has not accepted holds: no evidence counts for it.</summary>
public sealed class TrafficNotInForceTests
{
    private static readonly NotInForce Refused = new("HTTPRoute bookinfo/reviews: parent Service bookinfo/reviews reports ResolvedRefs False (BackendNotFound: backend(reviews-v2.bookinfo.svc.cluster.local) not found)", Refused: true);
    private static readonly NotInForce Pending = new("HTTPRoute bookinfo/reviews: parent Service bookinfo/reviews has not reported Accepted for generation 3", Refused: false);

    [Fact]
    public void ARefusal_HoldsTheStage_ResetsItsPasses_AndIsToldOnce()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, iterations: 2}, {weight: 100}]")).Start();
        driver.Analyze(Verdict.Pass);
        Assert.Equal(1, driver.Status.StagePasses);

        driver.Feed(new TrafficNotInForce([Refused]));
        driver.Feed(new TrafficNotInForce([Refused]));

        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        Assert.Equal(0, driver.Status.StagePasses);
        Assert.Equal(Refused.Reason, driver.Status.TrafficHold);
        Assert.Contains(Refused.Reason, driver.Status.Message, StringComparison.Ordinal);
        Assert.Single(driver.Announced, RolloutEventType.TrafficHeld);
        Assert.Equal([10], driver.Weights);
    }

    [Fact]
    public void AParentNotYetReporting_HoldsTheStage_WithoutTellingAnyone()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();

        driver.Feed(new TrafficNotInForce([Pending]));

        Assert.Equal(Pending.Reason, driver.Status.TrafficHold);
        Assert.DoesNotContain(RolloutEventType.TrafficHeld, driver.Announced);
    }

    [Fact]
    public void OnceInForce_TheNextAnalysisCounts_AndClearsTheHold()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10}, {weight: 100}]")).Start();
        driver.Feed(new TrafficNotInForce([Refused]));

        driver.Analyze(Verdict.Pass);

        Assert.Null(driver.Status.TrafficHold);
        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void TheStageBegins_ForItsChecks_OnlyOnceItsTrafficIsInForce()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10}, {weight: 100}]")).Start();
        driver.Clock.Advance(2 * driver.Plan.Spec.Analysis.Interval);
        driver.Feed(new TrafficNotInForce([Pending]));

        // In force now; a check half an interval later measured mostly the time before.
        driver.Clock.Advance(driver.Plan.Spec.Analysis.Interval / 2);
        driver.Feed(new Tick(driver.Result(Verdict.Pass)));

        Assert.Equal((0, 0), (driver.Status.Stage, driver.Status.StagePasses));
        Assert.Contains("too early to judge", driver.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHoldPastTheProgressDeadline_RollsBack()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(analysis: "    progressDeadline: 10m")).Start();
        driver.Clock.Advance(TimeSpan.FromMinutes(11));

        driver.Feed(new TrafficNotInForce([Refused]));

        Assert.Equal(RolloutPhase.RolledBack, driver.Status.Phase);
        Assert.Equal(RollbackCause.ProgressDeadline, driver.Status.Cause);
        Assert.Null(driver.Status.TrafficHold);
    }
}
