using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>Each check compares the canary's share of the requests with the weight in force: evidence counts only for the split it was gathered under.</summary>
public sealed class TrafficShareTests
{
    private static Decision Check(MachineDriver driver, double canary, double stable, Verdict verdict = Verdict.Pass)
    {
        // Two intervals: the requests counted are all of this stage's.
        driver.Clock.Advance(2 * driver.Plan.Spec.Analysis.Interval);
        return driver.Feed(new Tick(driver.Result(verdict) with { Share = new TrafficShare(canary, stable) }));
    }

    [Fact]
    public void AShareFarFromTheWeight_IsInconclusive_WithTheNumbers_ToldOnce()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]")).Start();

        Check(driver, 500, 500);
        Check(driver, 480, 520);

        Assert.Equal((RolloutPhase.Progressing, 0, 0), (driver.Status.Phase, driver.Status.Stage, driver.Status.StagePasses));
        Assert.Equal("traffic does not follow the weights: the canary served 48% of the requests (480 of 1000) where its weight is 5%, more than 10 points off", driver.Status.TrafficHold);
        Assert.Equal(2, driver.Status.InconclusiveChecks);
        Assert.Single(driver.Announced, RolloutEventType.TrafficHeld);
    }

    [Fact]
    public void AShareWithinTheTolerance_IsEvidence_AndClearsTheHold()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]")).Start();
        Check(driver, 500, 500);

        Check(driver, 60, 940);

        Assert.Equal(1, driver.Status.Stage);
        Assert.Null(driver.Status.TrafficHold);
    }

    [Theory]
    [InlineData("", 40, 50)] // too few requests to call the split wrong
    [InlineData("    trafficShareTolerance: 0", 500, 500)] // the check is off
    public void NoJudgement_OfTheShare(string analysis, double canary, double stable)
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]", analysis: analysis)).Start();

        Check(driver, canary, stable);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void ACheckWhoseWindowReachesBackBeforeTheStage_IsNotHeldToItsWeight()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]")).Start();
        driver.Clock.Advance(driver.Plan.Spec.Analysis.Interval);

        driver.Feed(new Tick(driver.Result(Verdict.Pass) with { Share = new TrafficShare(500, 500) }));

        Assert.Null(driver.Status.TrafficHold);
    }

    [Fact]
    public void AnABStage_IsNotHeldToAWeight()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{kind: abTest, match: [{headers: {x-user-group: {exact: beta}}}]}, {weight: 100}]")).Start();

        Check(driver, 100, 900);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void AFailingCanary_IsStillRolledBack_WhateverTheSplit()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]")).Start();

        Check(driver, 500, 500, Verdict.Fail);
        Check(driver, 500, 500, Verdict.Fail);

        Assert.Equal(RolloutPhase.RolledBack, driver.Status.Phase);
    }
}
