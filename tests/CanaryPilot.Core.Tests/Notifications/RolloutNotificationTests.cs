using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Tests.Rollouts;

namespace CanaryPilot.Core.Tests.Notifications;

/// <summary>The notification built from an announcement carries the rollout's numbers and says what comes next.</summary>
public sealed class RolloutNotificationTests
{
    private static (RolloutNotification Notification, Announce Announce) Last(MachineDriver driver)
    {
        var announce = driver.Actions.OfType<Announce>().Last();
        return (RolloutNotification.Of(driver.Plan, driver.Status, announce, driver.Clock.GetUtcNow()), announce);
    }

    [Fact]
    public void Of_StageAdvanced_CarriesStageWeightsAndTheNextStage()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.Analyze(Verdict.Pass);

        var (notification, announce) = Last(driver);

        Assert.Equal(RolloutEventType.StageAdvanced, notification.Type);
        Assert.Equal(announce.Message, notification.Message);
        Assert.Equal(driver.Clock.GetUtcNow(), notification.Time);
        Assert.Equal(("reviews", "bookinfo", "reviews"), (notification.Rollout.Rollout, notification.Rollout.Namespace, notification.Rollout.Service));
        Assert.Equal((1, "25%", 4, 25, 75), (notification.Rollout.Stage, notification.Rollout.StageName, notification.Rollout.StageCount, notification.Rollout.CanaryWeight, notification.Rollout.StableWeight));
        Assert.Equal("the analysis checks every 1m; once this stage passes, stage 3 of 4: 50%", notification.Next);
        Assert.Equal("success-rate", Assert.Single(notification.Rollout.Metrics).Name);
    }

    [Fact]
    public void Of_AnalysisFailed_SaysHowManyFailuresAreLeft()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(analysis: "    failureCounting: cumulative")).Start();
        driver.Analyze(Verdict.Fail);

        Assert.Equal("1 more failed check rolls the canary back", Last(driver).Notification.Next);
    }

    [Fact]
    public void Of_RolledBack_GivesTheReasonAndWhereTrafficIs()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.Analyze(Verdict.Fail, critical: true);

        var (notification, _) = Last(driver);

        Assert.Equal(RolloutEventType.RolledBack, notification.Type);
        Assert.Contains("crossed its critical range", notification.Message, StringComparison.Ordinal);
        Assert.Equal(RollbackCause.CriticalThreshold, notification.Rollout.Cause);
        Assert.Equal("all traffic stays on reviews subset v1; fix the canary, then retry the rollout", notification.Next);
    }

    [Fact]
    public void Of_LastStagePassedWithApprovalRequired_SaysThePromotionWaits()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith("  promotion: {approval: required}", stages: "[{weight: 50}, {weight: 100}]")).Start();
        driver.AnalyzeTimes(2, Verdict.Pass);

        var (notification, _) = Last(driver);

        Assert.Equal(RolloutEventType.AwaitingApproval, notification.Type);
        Assert.Equal("waits for a person to approve the promotion", notification.Next);
    }

    [Fact]
    public void Of_TwoEventsAtOneInstant_HaveDistinctIds()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var announce = driver.Actions.OfType<Announce>().First();

        var first = RolloutNotification.Of(driver.Plan, driver.Status, announce, driver.Clock.GetUtcNow());
        var second = RolloutNotification.Of(driver.Plan, driver.Status, announce, driver.Clock.GetUtcNow());

        Assert.NotEqual(first.Id, second.Id);
    }
}
