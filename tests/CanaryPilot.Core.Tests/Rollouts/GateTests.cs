using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Testing.Engine;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>
/// Gates in the engine: asked before the step they guard, every open gate lets it through, a closed
/// gate holds the rollout where it is and is asked again next interval, and a gate that does not
/// answer in time holds or fails the rollout as its policy says.
/// </summary>
public sealed class GateTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    private static RolloutPlan PlanWithGates(string onTimeout = "hold", string promotion = "") => MachineDriver.PlanWith(
        stages: "[{weight: 10}, {weight: 50}, {weight: 100}]",
        extra: $$"""
              {{promotion}}
              gates:
                - {name: load-test, type: preRollout, url: "http://127.0.0.1:9/pre"}
                - {name: freeze, type: confirmTrafficIncrease, url: "http://127.0.0.1:9/freeze"}
                - {name: release-board, type: confirmPromotion, url: "http://127.0.0.1:9/board", onTimeout: {{onTimeout}}}
            """);

    private async Task<RolloutStatus> TickAsync(RolloutReconciler reconciler)
    {
        var result = await reconciler.ReconcileAsync("bookinfo", "reviews", new Tick(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        return result.Status!;
    }

    private async Task<RolloutStatus> TickAsync(RolloutReconciler reconciler, int times)
    {
        RolloutStatus status = null!;
        for (var i = 0; i < times; i++)
        {
            status = await TickAsync(reconciler);
        }

        return status;
    }

    [Fact]
    public async Task OpenGates_AreAskedAfterTheStatusIsSaved_AndBeforeTheStepTheyGuard()
    {
        var world = new FakeWorld(PlanWithGates());

        var status = await TickAsync(world.Reconciler(_clock), 5);

        Assert.Equal(RolloutPhase.Succeeded, status.Phase);
        Assert.Equal(
            [
                "gate load-test Open", "status Initializing 0%",
                "gate freeze Open", "status Progressing 10%", "traffic 10%",
                "status Progressing 10%", "gate freeze Open", "status Progressing 50%", "traffic 50%",
                "status Progressing 50%", "gate freeze Open", "status Progressing 100%", "traffic 100%",
                "status Progressing 100%", "gate release-board Open", "status Promoting 100%", "final 100%",
            ],
            world.Log.Where(l => l.StartsWith("gate", StringComparison.Ordinal) || l.StartsWith("traffic", StringComparison.Ordinal) || l.StartsWith("final", StringComparison.Ordinal) || l.StartsWith("status Initializing", StringComparison.Ordinal) || l.StartsWith("status Pr", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ClosedPreRolloutGate_HoldsBeforeAnyTrafficMoves_UntilItOpens()
    {
        var world = new FakeWorld(PlanWithGates());
        var reconciler = world.Reconciler(_clock);
        world.Gates.Verdicts["load-test"] = GateVerdict.Closed;

        var held = await TickAsync(reconciler, 3);

        Assert.Equal((RolloutPhase.Pending, GateType.PreRollout), (held.Phase, held.AwaitingGate));
        Assert.Equal(3, world.Log.Count(l => l == "gate load-test Closed"));
        Assert.DoesNotContain(world.Log, l => l.StartsWith("traffic", StringComparison.Ordinal));
        Assert.Contains("gate load-test answered Closed", held.Message, StringComparison.Ordinal);
        var announced = Assert.Single(world.Announcer.Announced);
        Assert.Equal((RolloutEventType.AwaitingApproval, "GateHeld"), (announced.Type, announced.Reason));

        world.Gates.Verdicts["load-test"] = GateVerdict.Open;
        var started = await TickAsync(reconciler);

        Assert.Equal((RolloutPhase.Progressing, 10, null), (started.Phase, world.Router.LiveWeight, started.AwaitingGate));
    }

    [Fact]
    public async Task ClosedTrafficGate_HoldsTheStage_WhileAnalysisStillRollsBackABadCanary()
    {
        var world = new FakeWorld(PlanWithGates());
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Gates.Verdicts["freeze"] = GateVerdict.Closed;

        var held = await TickAsync(reconciler, 3);

        Assert.Equal((RolloutPhase.Progressing, 10, GateType.ConfirmTrafficIncrease), (held.Phase, world.Router.LiveWeight, held.AwaitingGate));

        world.Metrics.Value = 80;
        var failed = await TickAsync(reconciler, 2);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed, 0), (failed.Phase, failed.Cause, world.Router.LiveWeight));
        Assert.Null(failed.AwaitingGate);
    }

    [Fact]
    public async Task SilentPromotionGate_UnderHold_KeepsAskingAndNeverPromotesUntilItOpens()
    {
        var world = new FakeWorld(PlanWithGates(onTimeout: "hold"));
        var reconciler = world.Reconciler(_clock);
        world.Gates.Verdicts["release-board"] = GateVerdict.TimedOut;

        var held = await TickAsync(reconciler, 6);

        Assert.Equal((RolloutPhase.Progressing, 100, GateType.ConfirmPromotion), (held.Phase, held.CanaryWeight, held.AwaitingGate));
        Assert.DoesNotContain(world.Log, l => l.StartsWith("final", StringComparison.Ordinal));
        Assert.True(world.Log.Count(l => l == "gate release-board TimedOut") >= 2);

        world.Gates.Verdicts["release-board"] = GateVerdict.Open;
        var promoted = await TickAsync(reconciler);

        Assert.Equal(RolloutPhase.Succeeded, promoted.Phase);
    }

    [Fact]
    public async Task SilentPromotionGate_UnderFail_RollsBack()
    {
        var world = new FakeWorld(PlanWithGates(onTimeout: "fail"));
        world.Gates.Verdicts["release-board"] = GateVerdict.TimedOut;

        var status = await TickAsync(world.Reconciler(_clock), 5);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.GateTimedOut, 0), (status.Phase, status.Cause, world.Router.LiveWeight));
        Assert.Contains("gate release-board answered TimedOut", status.Message, StringComparison.Ordinal);
        Assert.Equal(1, world.Log.Count(l => l == "gate release-board TimedOut"));
    }

    [Fact]
    public async Task ClosedPromotionGate_UnderFail_StillOnlyHolds()
    {
        var world = new FakeWorld(PlanWithGates(onTimeout: "fail"));
        world.Gates.Verdicts["release-board"] = GateVerdict.Closed;

        var status = await TickAsync(world.Reconciler(_clock), 6);

        Assert.Equal((RolloutPhase.Progressing, GateType.ConfirmPromotion), (status.Phase, status.AwaitingGate));
    }

    [Fact]
    public async Task ApprovedPromotion_StillWaitsForItsGate()
    {
        var world = new FakeWorld(PlanWithGates(promotion: "promotion: {approval: required}"));
        var reconciler = world.Reconciler(_clock);
        world.Gates.Verdicts["release-board"] = GateVerdict.Closed;
        var awaiting = await TickAsync(reconciler, 4);
        Assert.Equal((RolloutPhase.AwaitingApproval, ApprovalGate.Promotion), (awaiting.Phase, awaiting.AwaitingApprovalFor));

        var approved = (await reconciler.ReconcileAsync("bookinfo", "reviews", new ApproveCommand("sre"), CancellationToken.None)).Status!;
        var stillHeld = await TickAsync(reconciler, 2);

        Assert.Equal((RolloutPhase.AwaitingApproval, GateType.ConfirmPromotion), (approved.Phase, approved.AwaitingGate));
        Assert.Equal((RolloutPhase.AwaitingApproval, GateType.ConfirmPromotion), (stillHeld.Phase, stillHeld.AwaitingGate));

        world.Gates.Verdicts["release-board"] = GateVerdict.Open;
        Assert.Equal(RolloutPhase.Succeeded, (await TickAsync(reconciler)).Phase);
    }

    [Fact]
    public async Task PreRolloutGateTimingOut_UnderFail_EndsTheRolloutWithoutTouchingTraffic()
    {
        var plan = MachineDriver.PlanWith(extra: """
              gates:
                - {name: load-test, type: preRollout, url: "http://127.0.0.1:9/pre", onTimeout: fail}
            """);
        var world = new FakeWorld(plan);
        world.Gates.Verdicts["load-test"] = GateVerdict.TimedOut;

        var status = await TickAsync(world.Reconciler(_clock));

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.GateTimedOut), (status.Phase, status.Cause));
        Assert.DoesNotContain(world.Log, l => l.StartsWith("traffic", StringComparison.Ordinal) || l.StartsWith("final", StringComparison.Ordinal));
    }
}
