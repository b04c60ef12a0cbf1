using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Testing.Engine;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>The reconciler with in-memory ports: the order of its effects, and how it recovers.</summary>
public sealed class RolloutReconcilerTests
{
    private readonly RolloutPlan _plan = MachineDriver.PlanWith(stages: "[{weight: 10}, {weight: 50}, {weight: 100}]");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));

    private async Task<RolloutStatus> TickAsync(RolloutReconciler reconciler)
    {
        var result = await reconciler.ReconcileAsync("bookinfo", "reviews", new Tick(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));
        return result.Status!;
    }

    [Fact]
    public async Task EveryTrafficChange_FollowsThePersistedStatusThatCarriesIt()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);

        for (var i = 0; i < 5; i++)
        {
            await TickAsync(reconciler);
        }

        Assert.Equal(RolloutPhase.Succeeded, world.Store.Status.Phase);
        Assert.Equal(
            [
                "status Initializing 0%", "announce Started",
                "status Progressing 10%", "traffic 10%", "announce StageAdvanced",
                "status Progressing 50%", "traffic 50%", "announce StageAdvanced",
                "status Progressing 100%", "traffic 100%", "announce StageAdvanced",
                "status Promoting 100%", "final 100%", "status Succeeded 100%", "announce Promoted",
            ],
            world.Log);
    }

    [Fact]
    public async Task FailingCanary_IsRolledBackWithTrafficOnStable()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Metrics.Value = 80;

        await TickAsync(reconciler);
        var status = await TickAsync(reconciler);

        Assert.Equal((RolloutPhase.RolledBack, 0), (status.Phase, world.Router.LiveWeight));
        Assert.Equal("fail", status.LastAnalysis!.Verdict);
        Assert.Equal(80, Assert.Single(status.Metrics).Value);
    }

    [Fact]
    public async Task PrometheusDown_HoldsTheStageAndNeverPromotes()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        world.Metrics.Down = true;

        for (var i = 0; i < 4; i++)
        {
            await TickAsync(reconciler);
        }

        Assert.Equal((RolloutPhase.Progressing, 10), (world.Store.Status.Phase, world.Router.LiveWeight));
        Assert.Equal("error", world.Store.Status.LastAnalysis!.Verdict);
    }

    [Fact]
    public async Task ARestartedReconciler_ReappliesThePersistedStageFirst_AndNeverJumps()
    {
        var world = new FakeWorld(_plan);
        await TickAsync(world.Reconciler(_clock));
        await TickAsync(world.Reconciler(_clock));
        world.Router.LiveWeight = 0;
        world.Log.Clear();

        var restarted = world.Reconciler(_clock);
        await restarted.ReconcileAsync("bookinfo", "reviews", new PauseCommand(), CancellationToken.None);

        Assert.Equal(["traffic 50%", "status Paused 50%"], world.Log);
    }

    [Fact]
    public async Task AFailedTrafficChange_IsReappliedOnTheNextReconcile()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Router.FailNextApply = true;

        await Assert.ThrowsAsync<HttpRequestException>(() => TickAsync(reconciler));
        Assert.Equal((50, 10), (world.Store.Status.CanaryWeight, world.Router.LiveWeight));
        world.Log.Clear();
        await reconciler.ReconcileAsync("bookinfo", "reviews", new PauseCommand(), CancellationToken.None);

        Assert.Equal(["traffic 50%", "status Paused 50%"], world.Log);
        Assert.Equal(50, world.Router.LiveWeight);
    }

    [Fact]
    public async Task ATrafficChangeTheRouterRefuses_RollsBack_WithItsReason()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Router.RefuseFrom = 50;
        world.Log.Clear();

        var status = await TickAsync(reconciler);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.TrafficRefused, 0), (status.Phase, status.Cause, world.Router.LiveWeight));
        Assert.Equal(["status Progressing 50%", "refused 50%", "status RollingBack 0%", "final 0%", "status RolledBack 0%", "announce RolledBack"], world.Log);
        Assert.Equal("rolled back: all traffic on reviews subset v1. the mesh cannot carry the stage's traffic: VirtualService bookinfo/ratings does not exist", status.Message);
    }

    [Fact]
    public async Task ARestartedReconciler_WhoseStageTheRouterRefuses_RollsBack()
    {
        var world = new FakeWorld(_plan);
        await TickAsync(world.Reconciler(_clock));
        await TickAsync(world.Reconciler(_clock));
        world.Router.RefuseFrom = 50;
        world.Log.Clear();

        var status = await TickAsync(world.Reconciler(_clock));

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.TrafficRefused), (status.Phase, status.Cause));
        Assert.Equal(["refused 50%", "status RollingBack 0%", "final 0%", "status RolledBack 0%", "announce RolledBack"], world.Log);
    }

    [Fact]
    public async Task AWorkloadThatCannotBeRead_HoldsTheStage_SayingWhy_UntilItCanBe()
    {
        var world = new FakeWorld(_plan);
        var workloads = new FakeWorkloads(name => throw new HttpRequestException("Response status code does not indicate success: 403 (Forbidden)."));
        world.Workloads = workloads;
        var reconciler = world.Reconciler(_clock);

        var held = await TickAsync(reconciler);

        Assert.Equal((RolloutPhase.Initializing, 0), (held.Phase, world.Router.LiveWeight));
        Assert.Equal("the canary's workload reviews-v2 could not be read: Response status code does not indicate success: 403 (Forbidden).", held.WorkloadHold);
        workloads.Read = name => new WorkloadState("Deployment", "bookinfo", name, 2, 2);
        Assert.Equal((RolloutPhase.Progressing, 10), ((await TickAsync(reconciler)).Phase, world.Router.LiveWeight));
    }

    [Fact]
    public async Task Drift_IsDetectedOnATickAndReapplied()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Router.LiveWeight = 40;

        await TickAsync(reconciler);

        Assert.Contains(world.Announcer.Announced, a => a.Type == RolloutEventType.DriftDetected);
        Assert.Equal(50, world.Router.LiveWeight);
    }

    [Fact]
    public async Task ARejectedCommand_ChangesNothing()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        world.Log.Clear();

        var result = await reconciler.ReconcileAsync("bookinfo", "reviews", new ApproveCommand(), CancellationToken.None);

        Assert.Equal("nothing awaits approval: the rollout is Progressing", result.Rejection);
        Assert.Empty(world.Log);
    }

    [Fact]
    public async Task ANewCanaryMidRollout_TakesTrafficBackToStable_ThenStartsOverWithIt()
    {
        var world = new FakeWorld(_plan);
        var reconciler = world.Reconciler(_clock);
        await TickAsync(reconciler);
        await TickAsync(reconciler);
        Assert.Equal((RolloutPhase.Progressing, 50), (world.Store.Status.Phase, world.Router.LiveWeight));
        world.Log.Clear();

        var service = _plan.Spec.Service;
        world.Store.Plan = _plan with { Spec = _plan.Spec with { Service = service with { Canary = service.Canary with { Revision = "reviews:2.1.0" } } } };
        var status = await TickAsync(reconciler);

        Assert.Equal(
            ["status RollingBack 0%", "final 0%", "status Pending 0%", "announce Aborted", "status Initializing 0%", "announce Started", "status Progressing 10%", "traffic 10%", "announce StageAdvanced"],
            world.Log);
        Assert.Equal((RolloutPhase.Progressing, 1), (status.Phase, status.Attempt));
        Assert.EndsWith("(revision reviews:2.1.0)", status.Revision, StringComparison.Ordinal);
        Assert.Equal("Superseded", world.Announcer.Announced.Single(a => a.Type == RolloutEventType.Aborted).Reason);
    }
}
