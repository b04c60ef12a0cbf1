using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>Sticky canary sessions: a cookie of the rollout's own at the weighted stages, and a share that may run above the weight.</summary>
public sealed class StickySessionTests
{
    private static RolloutPlan Plan(string stages = "[{kind: mirror, mirrorPercentage: 50}, {weight: 10}, {weight: 100}]") =>
        MachineDriver.PlanWith(stages: stages, extra: "  sessionAffinity: {maxAge: 30m}");

    private static Decision Check(MachineDriver driver, double canary, double stable)
    {
        driver.Clock.Advance(2 * driver.Plan.Spec.Analysis.Interval);
        return driver.Feed(new Tick(driver.Result(Verdict.Pass) with { Share = new TrafficShare(canary, stable) }));
    }

    [Fact]
    public void TheWeightedStages_CarryTheCookie_TheOthersDoNot()
    {
        var driver = new MachineDriver(Plan()).Start();
        var mirror = driver.Actions.OfType<ApplyTraffic>().Last().Intent;
        driver.Analyze(Verdict.Pass);
        var weighted = driver.Actions.OfType<ApplyTraffic>().Last().Intent;

        Assert.Null(mirror.Sticky);
        var sticky = weighted.Sticky!;
        Assert.Equal(("canarypilot-reviews", TimeSpan.FromMinutes(30), 16), (sticky.CookieName, sticky.MaxAge, sticky.Value.Length));
        Assert.Equal($"canarypilot-reviews={sticky.Value}; Max-Age=1800; Path=/", sticky.SetCookie);
    }

    [Fact]
    public void TheCookiesValue_IsTheSameForTheSameAttempt_AndNewForTheNext()
    {
        var driver = new MachineDriver(Plan("[{weight: 10}, {weight: 100}]")).Start();
        var first = RolloutMachine.IntentFor(driver.Plan, driver.Status)!.Sticky!.Value;

        // A restarted engine reads the same status and writes the same cookie.
        Assert.Equal(first, RolloutMachine.IntentFor(driver.Plan, driver.Status with { })!.Sticky!.Value);
        driver.Feed(new AbortCommand());
        driver.Feed(new RetryCommand());
        Assert.NotEqual(first, RolloutMachine.IntentFor(driver.Plan, driver.Status)!.Sticky!.Value);
    }

    [Fact]
    public void ReturningUsers_RaiseTheCanarysShare_WithoutHoldingTheStage()
    {
        var driver = new MachineDriver(Plan("[{weight: 10}, {weight: 100}]")).Start();

        Check(driver, 450, 550);

        Assert.Equal((1, null), (driver.Status.Stage, driver.Status.TrafficHold));
    }

    [Fact]
    public void AShareBelowTheWeight_IsStillAWrongSplit()
    {
        var driver = new MachineDriver(Plan("[{weight: 40}, {weight: 100}]")).Start();

        Check(driver, 100, 900);

        Assert.Equal(0, driver.Status.Stage);
        Assert.StartsWith("traffic does not follow the weights: the canary served 10% of the requests (100 of 1000) where its weight is 40%", driver.Status.TrafficHold, StringComparison.Ordinal);
    }
}
