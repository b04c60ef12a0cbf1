using CanaryPilot.Core.Rollouts;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Tests.EndToEnd;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.Service;

/// <summary>What one tick of a rollout costs the Kubernetes API, read from the emulator's audit trail.</summary>
public sealed class TickBudgetTests
{
    [Fact]
    public async Task AQuietTick_ReadsNothingFromTheApi_AndWritesOnlyItsStatus_Once()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, api: new KubeApiOptions { Audit = true });
        await bed.CreatePlanAsync(RolloutTestBed.Plan.Replace("{weight: 20}", "{weight: 20, minDuration: 1h}", StringComparison.Ordinal));
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await Eventually.TrueAsync(async () => (await bed.PlanAsync())["status"]?["lastAnalysis"] is not null, "the rollout to be analysed at its first stage", TimeSpan.FromSeconds(60));

        // The scheduler stops firing, and the tick below is the only one.
        var quartz = await service.App.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await quartz.Standby();
        await Eventually.TrueAsync(async () => (await quartz.GetMetadata()).LocalExecutingJobs == 0, "the tick in flight to end");
        var before = bed.Cluster.Server.Audit.Records.Count;

        var result = await service.App.Services.GetRequiredService<RolloutReconciler>().ReconcileAsync("bookinfo", "reviews", new Tick(), CancellationToken.None);

        Assert.Equal(RolloutPhase.Progressing, result.Status!.Phase);
        var calls = bed.Cluster.Server.Audit.Records.Skip(before)
            .Where(r => r.UserAgent.EndsWith("(serve)", StringComparison.Ordinal) && r.Resource != "leases")
            .Select(r => $"{r.Verb} {r.Resource}{(r.Subresource is null ? "" : "/" + r.Subresource)}")
            .ToList();
        Assert.Equal(["update rolloutplans/status"], calls);
    }
}
