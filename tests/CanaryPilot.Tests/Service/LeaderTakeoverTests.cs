using System.Text.Json.Nodes;
using CanaryPilot.Service;
using CanaryPilot.Tests.EndToEnd;
using k8s;

namespace CanaryPilot.Tests.Service;

/// <summary>A replica that is elected but cannot rebuild the schedule gives the Lease up, and another leads in its place.</summary>
public sealed class LeaderTakeoverTests
{
    [Fact]
    public async Task ALeaderWhoseRebuildFails_ReleasesTheLease_AndTheOtherReplicaFinishesTheRollout()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync();
        // replica-a's cache cannot list RolloutPlans, so its rebuild times out.
        bed.Cluster.Server.Faults.FailNext(int.MaxValue, 503, "list", "rolloutplans");
        var options = new ServiceOptions { CacheSyncTimeout = TimeSpan.FromSeconds(2) };
        await using var first = await ServiceUnderTest.StartAsync(bed, "replica-a", options);
        await Eventually.TrueAsync(async () => await HolderAsync(bed) == "replica-a", "replica-a to win the Lease");
        await Eventually.TrueAsync(async () => await HolderAsync(bed) == "", "replica-a to give the Lease up", TimeSpan.FromSeconds(30));
        Assert.False(first.Leader.IsLeader);

        bed.Cluster.Server.Faults.Clear();
        await using var second = await ServiceUnderTest.StartAsync(bed, "replica-b");
        await Eventually.TrueAsync(() => second.Leader.IsLeader, "replica-b to lead", TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => await bed.PhaseAsync() == "Succeeded", "replica-b to finish the rollout", TimeSpan.FromMinutes(2));
        Assert.Equal(100, await bed.LiveCanaryWeightAsync());
    }

    private static async Task<string?> HolderAsync(RolloutTestBed bed)
    {
        try
        {
            return (await bed.Cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("canarypilot-controller", "default")).Spec?.HolderIdentity ?? "";
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
