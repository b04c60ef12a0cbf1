using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// Whole rollouts that wait for the canary's Deployment: its replicas as the emulator reports them, read through the
/// controller's cache, hold the traffic until they can serve it.
/// </summary>
public sealed class ReadinessEndToEndTests
{
    /// <summary>Until the rollout ends; once it has said three times that it holds for the canary's workload, <paramref name="then"/>.</summary>
    private static Func<RolloutStatus, Task<bool>> AfterThreeHolds(Func<Task> then)
    {
        var held = 0;
        return async status =>
        {
            if (status.WorkloadHold is not null && ++held == 3)
            {
                await then();
            }

            return RolloutMachine.IsTerminal(status.Phase);
        };
    }

    [Fact]
    public async Task ACanaryWithNoReadyReplicas_GetsNoTraffic_SaysWhy_AndProceedsOnceReady()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await RolloutTestBed.SetReplicasAsync(bed.Cluster, "reviews-v2", desired: 2, available: 0);
        await bed.CreatePlanAsync();
        await using var engine = bed.StartEngine();

        // The Deployment controller reports the pods ready.
        var seen = await bed.FollowAsync(engine, AfterThreeHolds(() => RolloutTestBed.SetReplicasAsync(bed.Cluster, "reviews-v2", desired: 2, available: 2)));

        var holding = seen.Where(s => s.Status.WorkloadHold is not null).ToList();
        Assert.True(holding.Count >= 3);
        Assert.All(holding, s => Assert.Equal((RolloutPhase.Initializing, 0), (s.Status.Phase, s.LiveWeight)));
        Assert.Equal("holding: the canary's Deployment bookinfo/reviews-v2 has 0 of 2 replicas available; 2 (100%) must be before it takes 20% of the traffic at stage 1 (20%)", holding[0].Status.Message);
        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
        Assert.Equal([20, 50, 100], seen.Where(s => s.Status.Phase == RolloutPhase.Progressing).Select(s => s.LiveWeight).Distinct());
    }

    [Fact]
    public async Task WithCapacityChecks_AllTheTrafficWaitsForAsManyReplicasAsStableHas()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await RolloutTestBed.SetReplicasAsync(bed.Cluster, "reviews-v2", desired: 1, available: 1);
        await bed.CreatePlanAsync(RolloutTestBed.Plan + "\n  readiness: {capacity: true}\n");
        await using var engine = bed.StartEngine();

        // Scaled up for the promotion.
        var seen = await bed.FollowAsync(engine, AfterThreeHolds(() => RolloutTestBed.SetReplicasAsync(bed.Cluster, "reviews-v2", desired: 2, available: 2)));

        var holding = seen.Where(s => s.Status.WorkloadHold is not null).ToList();
        Assert.True(holding.Count >= 3);
        Assert.All(holding, s => Assert.Equal((1, 50), (s.Status.Stage, s.LiveWeight)));
        Assert.Contains("for capacity, 100% of the traffic at stage 3 (100%) needs 2 available replicas (100% of the stable's Deployment bookinfo/reviews-v1 with 2); the canary's Deployment bookinfo/reviews-v2 has 1", holding[0].Status.WorkloadHold, StringComparison.Ordinal);
        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
    }
}
