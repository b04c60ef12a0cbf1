using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>The status keeps what a dashboard draws: each check with its values, each step with its weights, the last ones only.</summary>
public sealed class RolloutHistoryTests
{
    [Fact]
    public void EveryCheckAndStep_IsKept_WithTheWeightItHappenedAt()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 100}]")).Start();

        driver.Analyze(Verdict.Pass);
        driver.Analyze(Verdict.Pass);
        driver.Feed(new Tick());

        Assert.Equal(
            ["step Initializing 0", "step Progressing 5", "check Progressing 5 pass", "step Progressing 100", "check Progressing 100 pass", "step Promoting 100", "step Succeeded 100"],
            driver.Status.History.Select(p => $"{p.Kind} {p.Phase} {p.CanaryWeight}{(p.Verdict is null ? "" : $" {p.Verdict}")}"));
        var check = driver.Status.History[2];
        Assert.Equal(("success-rate", 99.5), (Assert.Single(check.Metrics).Name, check.Metrics[0].Value));
        Assert.Equal("stage 5%: 1/1 metrics passed", check.Message);
        Assert.Equal("stage 2 of 2: 100%", driver.Status.History[3].Message);
    }

    [Fact]
    public void OnlyTheLastPoints_AreKept()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5, iterations: 500}, {weight: 100}]")).Start();

        driver.AnalyzeTimes(RolloutHistory.Kept + 10, Verdict.Pass);

        Assert.Equal(RolloutHistory.Kept, driver.Status.History.Count);
        Assert.All(driver.Status.History, p => Assert.Equal("check", p.Kind));
        Assert.Equal(driver.Status.LastAnalysis!.Time, driver.Status.History[^1].Time);
    }

    [Fact]
    public void WhatWasAnnounced_AndWhatTheGatesAnswered_AreKeptWithThePoint()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(
            stages: "[{weight: 5}, {weight: 100}]",
            extra: "  gates: [{name: load-test, type: preRollout, url: \"http://127.0.0.1:9/pre\"}]"));

        driver.Feed(new Tick());
        driver.Feed(new GatesAnswered(GateType.PreRollout, [new GateAnswer("load-test", new GateOutcome(GateVerdict.Closed, "p99 too high under load"), GateTimeoutPolicy.Hold)]));

        var held = Assert.Single(driver.Status.History);
        Assert.Equal(("gates", RolloutPhase.Pending), (held.Kind, held.Phase));
        Assert.Equal(["pre-rollout gate load-test: closed (p99 too high under load)"], held.Gates);
        Assert.Equal(["AwaitingApproval"], held.Announced);

        driver.Feed(new GatesAnswered(GateType.PreRollout, [new GateAnswer("load-test", new GateOutcome(GateVerdict.Open, "fine"), GateTimeoutPolicy.Hold)]));

        Assert.Equal(["Started"], driver.Status.History[1].Announced);
        Assert.Equal(["pre-rollout gate load-test: open (fine)"], driver.Status.History[1].Gates);
    }
}
