using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>
/// A restarted engine has only the persisted status. From each status a rollout can be in, recovery
/// re-applies exactly what the status says — never the next stage, never a second promotion, never
/// traffic on a canary that failed — and the rollout then ends as it would have without the restart.
/// </summary>
public sealed class RestartTests
{
    private static readonly int[] StageWeights = [5, 25, 100];

    /// <summary>Every status a healthy rollout with an approval passes through, as it was persisted.</summary>
    private static List<RolloutStatus> PersistedAlongTheWay(Verdict last)
    {
        var clock = Clock();
        var driver = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 25, approval: required}, {weight: 100}]"), clock: clock);
        var seen = new List<RolloutStatus> { driver.Status };
        void Step(RolloutInput input)
        {
            var decision = RolloutMachine.Decide(driver.Plan, driver.Status, input, clock.GetUtcNow());
            var replay = new MachineDriver(driver.Plan, driver.Status, clock);
            replay.Feed(input);
            seen.Add(decision.Status);
            seen.Add(replay.Status);
            driver = new MachineDriver(driver.Plan, replay.Status, clock);
        }

        Verdict Later(Verdict verdict)
        {
            clock.Advance(driver.Plan.Spec.Analysis.Interval);
            return verdict;
        }

        Step(new Tick());
        Step(new Tick(driver.Result(Later(Verdict.Pass))));
        Step(new Tick(driver.Result(Later(Verdict.Pass))));
        Step(new ApproveCommand());
        Step(new Tick(driver.Result(Later(last))));
        Step(new Tick(driver.Result(Later(last))));
        return seen.DistinctBy(s => (s.Phase, s.Stage)).ToList();
    }

    /// <summary>One clock for a whole story, so stage ages add up; a restart happens later than anything persisted.</summary>
    private static Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock(TimeSpan? later = null) =>
        new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero) + (later ?? TimeSpan.Zero));

    public static TheoryData<string> Endings() => ["Pass", "Fail"];

    [Theory]
    [MemberData(nameof(Endings))]
    public void Recovery_ReappliesExactlyWhatThePersistedStatusSays(string ending)
    {
        var plan = MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 25, approval: required}, {weight: 100}]");
        var statuses = PersistedAlongTheWay(Enum.Parse<Verdict>(ending));
        Assert.Contains(statuses, s => s.Phase == RolloutPhase.AwaitingApproval);

        foreach (var status in statuses)
        {
            var recovery = RolloutMachine.RecoveryActions(plan, status);
            switch (status.Phase)
            {
                case RolloutPhase.Progressing or RolloutPhase.AwaitingApproval:
                    Assert.Equal(status.CanaryWeight, Assert.IsType<ApplyTraffic>(Assert.Single(recovery)).Intent.CanaryWeight);
                    Assert.Equal(StageWeights[status.Stage!.Value], status.CanaryWeight);
                    break;
                case RolloutPhase.Promoting:
                    Assert.True(Assert.IsType<FinalizeTraffic>(Assert.Single(recovery)).Promoted);
                    break;
                case RolloutPhase.RollingBack:
                    Assert.False(Assert.IsType<FinalizeTraffic>(Assert.Single(recovery)).Promoted);
                    break;
                default:
                    Assert.Empty(recovery);
                    break;
            }
        }
    }

    [Theory]
    [MemberData(nameof(Endings))]
    public void RestartingFromAnyPersistedStatus_EndsAsTheUninterruptedRollout(string ending)
    {
        var verdict = Enum.Parse<Verdict>(ending);
        var expected = verdict == Verdict.Pass ? RolloutPhase.Succeeded : RolloutPhase.RolledBack;

        foreach (var persisted in PersistedAlongTheWay(verdict))
        {
            var restarted = new MachineDriver(MachineDriver.PlanWith(stages: "[{weight: 5}, {weight: 25, approval: required}, {weight: 100}]"), persisted, Clock(TimeSpan.FromHours(1)));
            restarted.Actions.AddRange(RolloutMachine.RecoveryActions(restarted.Plan, persisted));
            for (var step = 0; step < 10 && !RolloutMachine.IsTerminal(restarted.Status.Phase); step++)
            {
                if (restarted.Status.Phase == RolloutPhase.AwaitingApproval)
                {
                    restarted.Feed(new ApproveCommand());
                }
                else if (restarted.Status.Phase is RolloutPhase.Pending or RolloutPhase.Initializing or RolloutPhase.Promoting or RolloutPhase.RollingBack)
                {
                    restarted.Feed(new Tick());
                }
                else
                {
                    restarted.Analyze(restarted.Status.Stage == 2 ? verdict : Verdict.Pass);
                }
            }

            Assert.Equal(expected, restarted.Status.Phase);
            var final = verdict == Verdict.Pass ? 100 : 0;
            Assert.Equal(final, restarted.Status.CanaryWeight);
            Assert.True(!restarted.Weights.Any() || restarted.Weights.Last() == final, $"the last traffic change from {persisted.Phase} was not {final}%");
            Assert.True(restarted.Actions.OfType<FinalizeTraffic>().Count(f => f.Promoted) <= 1, "a promotion was carried out twice");
            var weights = restarted.Weights.TakeWhile(w => w != 0 || verdict == Verdict.Pass).ToList();
            Assert.Equal(weights.Order(), weights);
        }
    }

    [Fact]
    public void SucceededRollout_IgnoresFurtherTicksAndIsNeverPromotedAgain()
    {
        var driver = new MachineDriver(MachineDriver.PlanWith()).Start();
        driver.AnalyzeTimes(4, Verdict.Pass);
        var promotions = driver.Actions.OfType<FinalizeTraffic>().Count();

        driver.AnalyzeTimes(3, Verdict.Pass);

        Assert.Equal(RolloutPhase.Succeeded, driver.Status.Phase);
        Assert.Equal(promotions, driver.Actions.OfType<FinalizeTraffic>().Count());
        Assert.Empty(RolloutMachine.RecoveryActions(driver.Plan, driver.Status));
    }
}
