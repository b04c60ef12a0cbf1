using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

public sealed class RolloutMachineTests
{
    [Fact]
    public void HealthyCanary_WalksEveryStageAndIsPromoted()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();

        driver.AnalyzeTimes(4, Verdict.Pass);

        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
        Assert.Equal([5, 25, 50, 100, 100], driver.Weights);
        Assert.Equal((100, 0), (driver.Status.CanaryWeight, driver.Status.StableWeight));
        Assert.Equal("reviews subset v2", driver.Status.StableRevision);
        Assert.Equal(
            [RolloutEventType.Started, RolloutEventType.StageAdvanced, RolloutEventType.StageAdvanced, RolloutEventType.StageAdvanced, RolloutEventType.StageAdvanced, RolloutEventType.Promoted],
            driver.Announced);
        Assert.Equal("False", Assert.Single(driver.Status.Conditions).Status);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FailingCanary_IsRolledBackFromAnyStage(int stage)
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.AnalyzeTimes(stage, Verdict.Pass);

        driver.Analyze(Verdict.Fail);
        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        driver.Analyze(Verdict.Fail);

        Assert.Equal(RolloutPhase.RolledBack, driver.Status.Phase);
        Assert.Equal(RollbackCause.AnalysisFailed, driver.Status.Cause);
        Assert.Equal(0, driver.Weights.Last());
        Assert.Equal((0, 100), (driver.Status.CanaryWeight, driver.Status.StableWeight));
        Assert.Equal("reviews subset v1", driver.Status.StableRevision);
        Assert.Equal(RolloutEventType.RolledBack, driver.Announced.Last());
        Assert.StartsWith("rolled back: all traffic on reviews subset v1. analysis failed 2 times in a row, more than the 1 allowed", driver.Status.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("consecutive", RolloutPhase.Progressing)]
    [InlineData("cumulative", RolloutPhase.RolledBack)]
    public void FailuresSeparatedByAPass_CountAsThePlanSays(string counting, RolloutPhase expected)
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, iterations: 3}, {weight: 100}]", analysis: $"    failureCounting: {counting}")).Start();

        driver.Analyze(Verdict.Fail);
        driver.Analyze(Verdict.Pass);
        driver.Analyze(Verdict.Fail);

        Assert.Equal(expected, driver.Status.Phase);
    }

    [Fact]
    public void InconclusiveResults_HoldTheStageAndNeverAdvanceIt()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();

        driver.AnalyzeTimes(4, Verdict.Inconclusive);
        driver.Analyze(Verdict.Error);

        Assert.Equal((RolloutPhase.Progressing, 0, 5), (driver.Status.Phase, driver.Status.Stage, driver.Status.CanaryWeight));
        Assert.Equal(5, driver.Status.InconclusiveChecks);
        Assert.StartsWith("holding: analysis inconclusive", driver.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InconclusiveLongerThanThePlanAllows_RollsBack()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(analysis: "    missingData: {maxDuration: 3m}")).Start();

        driver.AnalyzeTimes(3, Verdict.Inconclusive);
        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        driver.Analyze(Verdict.Inconclusive);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.NoEvidence), (driver.Status.Phase, driver.Status.Cause));
    }

    [Fact]
    public void APassBetweenInconclusiveResults_RestartsTheirClock()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, iterations: 9}, {weight: 100}]", analysis: "    missingData: {maxDuration: 3m}")).Start();

        driver.AnalyzeTimes(3, Verdict.Inconclusive);
        driver.Analyze(Verdict.Pass);
        driver.AnalyzeTimes(3, Verdict.Inconclusive);

        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
    }

    [Fact]
    public void AnInconclusiveCheckBetweenPasses_StartsTheStagesCountAgain()
    {
        // Found by the fault harness: a stage that passed before Prometheus went down moved on at the first pass after it.
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, iterations: 3}, {weight: 100}]")).Start();

        driver.AnalyzeTimes(2, Verdict.Pass);
        driver.Analyze(Verdict.Inconclusive);
        driver.AnalyzeTimes(2, Verdict.Pass);
        Assert.Equal((0, 2), (driver.Status.Stage, driver.Status.StagePasses));
        driver.Analyze(Verdict.Pass);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void AnInconclusiveCheck_StartsTheStagesMinimumDurationAgain()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, minDuration: 3m}, {weight: 100}]")).Start();

        driver.AnalyzeTimes(2, Verdict.Pass);
        driver.Analyze(Verdict.Error);
        driver.AnalyzeTimes(3, Verdict.Pass);
        Assert.Equal(0, driver.Status.Stage);
        driver.Analyze(Verdict.Pass);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void ProgressDeadline_RollsBackWhenPassed()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, minDuration: 10m}, {weight: 100}]", analysis: "    progressDeadline: 5m")).Start();

        driver.AnalyzeTimes(4, Verdict.Pass);
        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        driver.Analyze(Verdict.Pass);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.ProgressDeadline), (driver.Status.Phase, driver.Status.Cause));
    }

    [Fact]
    public void CriticalThreshold_RollsBackAtOnceWhateverTheFailureLimit()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(analysis: "    failureCounting: cumulative")).Start();

        driver.Analyze(Verdict.Fail, critical: true);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.CriticalThreshold), (driver.Status.Phase, driver.Status.Cause));
    }

    [Fact]
    public void SequentialFail_RollsBackAtOnceWhateverTheFailureLimit_AndKeepsTheEvidence()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(analysis: "    failureCounting: cumulative")).Start();
        var evidence = new SequentialJudge.Evidence(2.4, 1.4, 4.0, 1.2, 0.995, 412, new IntervalCounts(58, 5_010, 210, 45_020));

        driver.Analyze(Verdict.Fail, evidence: evidence);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed), (driver.Status.Phase, driver.Status.Cause));
        var recorded = Assert.Single(driver.Status.Metrics).Evidence!;
        Assert.Equal((2.4, 1.4, (double?)4.0, 1.2, 412.0, 58.0, 45_020.0), (recorded.Ratio!.Value, recorded.Lower, recorded.Upper, recorded.Tolerance, recorded.EValue, recorded.CanaryEvents, recorded.StableRequests));
    }

    [Fact]
    public void GuardTripped_InTheStageItWatched_RollsBackAtOnce_WithItsEvidence()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.Analyze(Verdict.Pass);
        var evidence = new SequentialJudge.Evidence(6.0, 3.1, 11.0, 1.2, 0.99, 5_000, new IntervalCounts(40, 400, 14, 1_600));
        var worse = driver.Result(Verdict.Fail, evidence: evidence).Metrics[0];

        driver.Feed(new GuardTripped(driver.Status.Stage!.Value, driver.Status.StageStartedAt!.Value, driver.Clock.GetUtcNow(), worse));

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed), (driver.Status.Phase, driver.Status.Cause));
        Assert.Equal([RolloutEventType.RolledBack], driver.Announced.Where(a => a == RolloutEventType.RolledBack));
        var recorded = Assert.Single(driver.Status.Metrics);
        Assert.Equal(("fail", 3.1, 40.0), (recorded.Verdict, recorded.Evidence!.Lower, recorded.Evidence.CanaryEvents));
    }

    [Fact]
    public void GuardTripped_OnACriticalRange_RollsBackForIt_WithoutEvidenceToWeigh()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var breached = driver.Result(Verdict.Fail, critical: true).Metrics[0];

        driver.Feed(new GuardTripped(driver.Status.Stage!.Value, driver.Status.StageStartedAt!.Value, driver.Clock.GetUtcNow(), breached));

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.CriticalThreshold), (driver.Status.Phase, driver.Status.Cause));
        Assert.Equal(("fail", 99.5), (Assert.Single(driver.Status.Metrics).Verdict, Assert.Single(driver.Status.Metrics).Value));
    }

    [Fact]
    public void GuardTripped_WithAFailureThatIsNeitherEvidenceNorCritical_ChangesNothing()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var before = driver.Status;

        driver.Feed(new GuardTripped(driver.Status.Stage!.Value, driver.Status.StageStartedAt!.Value, driver.Clock.GetUtcNow(), driver.Result(Verdict.Fail).Metrics[0]));

        Assert.Same(before, driver.Status);
    }

    [Fact]
    public void GuardTripped_ForAStageTheRolloutHasLeft_ChangesNothing()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var (stage, started) = (driver.Status.Stage!.Value, driver.Status.StageStartedAt!.Value);
        var evidence = new SequentialJudge.Evidence(6.0, 3.1, 11.0, 1.2, 0.99, 5_000, new IntervalCounts(40, 400, 14, 1_600));
        var worse = driver.Result(Verdict.Fail, evidence: evidence).Metrics[0];
        driver.Analyze(Verdict.Pass);
        var before = driver.Status;

        var decision = driver.Feed(new GuardTripped(stage, started, driver.Clock.GetUtcNow(), worse));

        Assert.True(decision.Accepted);
        Assert.Equal(1, driver.Status.Stage);
        Assert.Same(before, driver.Status);
        Assert.Empty(decision.Actions);
    }

    [Fact]
    public void LeavingAStage_CarriesItsSequentialCountsForward_OncePerStage()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var evidence = new SequentialJudge.Evidence(1.0, 0.5, 1.1, 1.5, 0.99, 0.2, new IntervalCounts(5, 1_000, 95, 19_000));

        driver.Analyze(Verdict.Pass, evidence: evidence);
        driver.Analyze(Verdict.Pass, evidence: evidence with { Counts = new IntervalCounts(20, 5_000, 75, 15_000) });

        Assert.Equal(2, driver.Status.Stage);
        Assert.Equal(
            [(0, 5.0, 19_000.0), (1, 20.0, 15_000.0)],
            driver.Status.Counted.Select(c => (c.Stage, c.CanaryEvents, c.StableRequests)));
        Assert.All(driver.Status.Counted, c => Assert.Equal("success-rate", c.Metric));
    }

    /// <summary>The sequential judge could not decide: bounds on both sides of the tolerances, counts from both versions.</summary>
    private static readonly SequentialJudge.Evidence Undecided = new(1.1, 0.4, 2.6, 1.2, 0.95, 0.3, new IntervalCounts(3, 600, 27, 5_400)) { PromoteBelow = 1.9 };

    [Fact]
    public void UndecidedJudge_MovesAnUnlessWorseStageOn_ButNeverPromotes()
    {
        var driver = new MachineDriver(MachineDriver.SequentialPlanWith("[{weight: 10, minDuration: 2m, advance: unlessWorse}, {weight: 50, advance: unlessWorse}, {weight: 100}]")).Start();

        driver.Analyze(Verdict.Inconclusive, evidence: Undecided);
        Assert.Equal(0, driver.Status.Stage);
        driver.Analyze(Verdict.Inconclusive, evidence: Undecided);
        Assert.Equal(1, driver.Status.Stage);
        Assert.Equal("inconclusive", driver.Status.LastAnalysis!.Verdict);
        driver.Analyze(Verdict.Inconclusive, evidence: Undecided);
        Assert.Equal(2, driver.Status.Stage);

        // The last stage promotes, and promotion waits for the evidence whatever earlier stages said.
        for (var i = 0; i < 3; i++)
        {
            driver.Analyze(Verdict.Inconclusive, evidence: Undecided);
        }

        Assert.Equal((RolloutPhase.Progressing, 2), (driver.Status.Phase, driver.Status.Stage));
        Assert.Equal([10, 50, 100], driver.Weights);
    }

    [Fact]
    public void UndecidedJudge_HoldsAStageThatAdvancesOnPass()
    {
        var driver = new MachineDriver(MachineDriver.SequentialPlanWith("[{weight: 10}, {weight: 100}]")).Start();

        driver.Analyze(Verdict.Inconclusive, evidence: Undecided);
        driver.Analyze(Verdict.Inconclusive, evidence: Undecided);

        Assert.Equal((0, 2), (driver.Status.Stage, driver.Status.InconclusiveChecks));
    }

    [Fact]
    public void MissingData_HoldsAnUnlessWorseStage()
    {
        var driver = new MachineDriver(MachineDriver.SequentialPlanWith("[{weight: 10, advance: unlessWorse}, {weight: 100}]")).Start();
        var noCanaryTraffic = Undecided with { Counts = new IntervalCounts(0, 0, 27, 5_400) };

        driver.Analyze(Verdict.Inconclusive);
        driver.Analyze(Verdict.Inconclusive, evidence: noCanaryTraffic);

        Assert.Equal((0, 2), (driver.Status.Stage, driver.Status.InconclusiveChecks));
        Assert.StartsWith("holding: analysis inconclusive", driver.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APassMeasuredLessThanAnIntervalIntoAStage_DoesNotCountForIt()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.Clock.Advance(TimeSpan.FromSeconds(30));

        driver.Feed(new Tick(driver.Result(Verdict.Pass)));

        Assert.Equal((0, 0), (driver.Status.Stage!.Value, driver.Status.StagePasses));
        Assert.StartsWith("stage 5%: too early to judge", driver.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MinimumDuration_HoldsAStageUntilItHasPassedThatLong()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, minDuration: 3m}, {weight: 100}]")).Start();

        driver.AnalyzeTimes(2, Verdict.Pass);
        Assert.Equal(0, driver.Status.Stage);
        driver.Analyze(Verdict.Pass);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void AFailureInsideAStage_RestartsItsMinimumDuration()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, minDuration: 2m}, {weight: 100}]")).Start();

        driver.Analyze(Verdict.Pass);
        driver.Analyze(Verdict.Fail);
        driver.Analyze(Verdict.Pass);
        driver.Analyze(Verdict.Pass);
        Assert.Equal(0, driver.Status.Stage);
        driver.Analyze(Verdict.Pass);

        Assert.Equal(1, driver.Status.Stage);
    }

    [Fact]
    public void ApprovalStage_WaitsForApproveThenMovesOn()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, approval: required}, {weight: 100}]")).Start();

        driver.Analyze(Verdict.Pass);
        Assert.Equal((RolloutPhase.AwaitingApproval, ApprovalGate.Stage), (driver.Status.Phase, driver.Status.AwaitingApprovalFor));
        driver.AnalyzeTimes(3, Verdict.Pass);
        Assert.Equal(RolloutPhase.AwaitingApproval, driver.Status.Phase);
        Assert.Equal(10, driver.Weights.Last());

        Assert.True(driver.Feed(new ApproveCommand("jane")).Accepted);

        Assert.Equal((RolloutPhase.Progressing, 1, 100), (driver.Status.Phase, driver.Status.Stage, driver.Status.CanaryWeight));
        Assert.Contains(RolloutEventType.AwaitingApproval, driver.Announced);
    }

    [Fact]
    public void PromotionApproval_AfterAnApprovedLastStage_IsAskedForSeparately()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 100, approval: required}]", extra: "  promotion: {approval: required}")).Start();

        driver.Analyze(Verdict.Pass);
        driver.Feed(new ApproveCommand());
        Assert.Equal((RolloutPhase.AwaitingApproval, ApprovalGate.Promotion), (driver.Status.Phase, driver.Status.AwaitingApprovalFor));
        driver.Feed(new ApproveCommand());

        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
    }

    [Fact]
    public void PromoteNow_SkipsTheRemainingStages()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();

        driver.Feed(new PromoteCommand("jane"));

        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
        Assert.Equal([5, 100], driver.Weights);
    }

    public static TheoryData<string> AbortablePhases() => ["Pending", "Initializing", "Progressing", "AwaitingApproval", "Paused"];

    [Theory]
    [MemberData(nameof(AbortablePhases))]
    public void Abort_InAnyActivePhase_EndsAbortedWithTrafficOnStable(string phase)
    {
        var driver = Reach(Enum.Parse<RolloutPhase>(phase));

        Assert.True(driver.Feed(new AbortCommand("bad release")).Accepted);

        Assert.Equal(RolloutPhase.Aborted, driver.Status.Phase);
        Assert.Equal(RollbackCause.Aborted, driver.Status.Cause);
        Assert.Equal(RolloutEventType.Aborted, driver.Announced.Last());
        if (phase != "Pending")
        {
            Assert.Equal(0, driver.Weights.Last());
        }
    }

    [Theory]
    [InlineData(RolloutPhase.Promoting)]
    [InlineData(RolloutPhase.RollingBack)]
    [InlineData(RolloutPhase.Succeeded)]
    [InlineData(RolloutPhase.RolledBack)]
    [InlineData(RolloutPhase.Aborted)]
    public void Abort_WhenTooLate_IsRejectedWithAReason(RolloutPhase phase)
    {
        var plan = MachineDriver.PlanWith();

        var decision = RolloutMachine.Decide(plan, new RolloutStatus { Phase = phase, Stage = 3 }, new AbortCommand(), DateTimeOffset.UnixEpoch);

        Assert.False(decision.Accepted);
        Assert.NotEmpty(decision.Rejection!);
        Assert.Equal(phase, decision.Status.Phase);
    }

    [Fact]
    public void Retry_AfterARollback_StartsTheSameRevisionAgain()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.AnalyzeTimes(2, Verdict.Fail);

        driver.Feed(new RetryCommand());
        driver.AnalyzeTimes(4, Verdict.Pass);

        Assert.Equal((RolloutPhase.Succeeded, 2), (driver.Status.Phase, driver.Status.Attempt));
        Assert.Equal(0, driver.Status.FailedChecks);
    }

    [Theory]
    [InlineData("approve", "nothing awaits approval: the rollout is Progressing")]
    [InlineData("resume", "the rollout is not paused; it is Progressing")]
    [InlineData("retry", "only a rolled-back or aborted rollout can be retried; it is Progressing")]
    public void CommandsThatDoNotApply_AreRejectedAndChangeNothing(string command, string reason)
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        var before = driver.Status;
        RolloutInput input = command switch { "approve" => new ApproveCommand(), "resume" => new ResumeCommand(), _ => new RetryCommand() };

        var decision = driver.Feed(input);

        Assert.Equal(reason, decision.Rejection);
        Assert.Same(before, driver.Status);
    }

    [Fact]
    public void PauseAndResume_HoldTheStageThenReapplyIt()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.Analyze(Verdict.Pass);

        driver.Feed(new PauseCommand("investigating"));
        driver.AnalyzeTimes(3, Verdict.Pass);
        Assert.Equal((RolloutPhase.Paused, 1), (driver.Status.Phase, driver.Status.Stage));
        driver.Feed(new ResumeCommand());

        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        Assert.Equal([5, 25, 25], driver.Weights);
    }

    [Fact]
    public void Drift_WithReapplyPolicy_WritesTheStageWeightsAgain()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();

        driver.Feed(new DriftObserved(["VirtualService bookinfo/reviews route primary: canary 40%"]));

        Assert.Equal(RolloutPhase.Progressing, driver.Status.Phase);
        Assert.Equal([5, 5], driver.Weights);
        Assert.Equal(RolloutEventType.DriftDetected, driver.Announced.Last());
    }

    [Fact]
    public void Drift_WithPausePolicy_PausesForAPerson()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(extra: "  onDrift: pause")).Start();

        driver.Feed(new DriftObserved(["VirtualService bookinfo/reviews route primary: canary 40%"]));

        Assert.Equal(RolloutPhase.Paused, driver.Status.Phase);
        Assert.Equal([5], driver.Weights);
        Assert.StartsWith("paused: the mesh was changed by someone else", driver.Status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MirrorAndABStages_CarryTheirIntent()
    {
        var plan = MachineDriver.PlanWith(stages: "[{kind: mirror, mirrorPercentage: 30}, {kind: abTest, match: [{headers: {x-beta: {exact: '1'}}}]}, {weight: 100}]");
        var driver = new MachineDriver(plan).Start();
        var mirror = driver.Actions.OfType<ApplyTraffic>().Last().Intent;

        driver.Analyze(Verdict.Pass);
        var ab = driver.Actions.OfType<ApplyTraffic>().Last().Intent;

        Assert.Equal((0, 30.0), (mirror.CanaryWeight, mirror.MirrorPercentage));
        Assert.Equal("1", Assert.Single(ab.ABMatch).Headers["x-beta"].Exact);
    }

    /// <summary>Drives a rollout until it is in <paramref name="phase"/>.</summary>
    private static MachineDriver Reach(RolloutPhase phase)
    {
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 10, approval: required}, {weight: 100}]"));
        switch (phase)
        {
            case RolloutPhase.Pending:
                break;
            case RolloutPhase.Initializing:
                driver.Feed(new Tick());
                driver = new MachineDriver(driver.Plan, driver.Status with { Phase = RolloutPhase.Initializing });
                break;
            case RolloutPhase.Progressing:
                driver.Start();
                break;
            case RolloutPhase.AwaitingApproval:
                driver.Start().Analyze(Verdict.Pass);
                break;
            case RolloutPhase.Paused:
                driver.Start().Feed(new PauseCommand());
                break;
        }

        Assert.Equal(phase, driver.Status.Phase);
        return driver;
    }
}
