using CanaryPilot.Core.Rollouts;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// Whole rollouts: Quartz fires the reconciler every interval, the router moves real VirtualService
/// weights in the emulator, the mesh's traffic follows them, and Prometheus measures the result.
/// </summary>
public sealed class RolloutEndToEndTests
{
    private sealed record Seen(RolloutPhase Phase, int? Stage, int StatusWeight, int LiveWeight);

    /// <summary>Schedules the rollout and follows the job reports until <paramref name="until"/> holds.</summary>
    private static async Task<List<Seen>> FollowAsync(RolloutTestBed bed, ServiceProvider engine, Func<Seen, bool> until, bool rebuild = false)
    {
        await (await engine.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        var scheduler = engine.GetRequiredService<RolloutScheduler>();
        if (rebuild)
        {
            Assert.Equal(1, await scheduler.RebuildAsync(await engine.GetRequiredService<IRolloutStore>().ListAsync(CancellationToken.None), CancellationToken.None));
        }
        else
        {
            await scheduler.ScheduleAsync("bookinfo", "reviews", TimeSpan.FromSeconds(2), CancellationToken.None);
        }

        var seen = new List<Seen>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(deadline.Token))
        {
            Assert.Null(report.Failure);
            var status = report.Result!.Status!;
            seen.Add(new Seen(status.Phase, status.Stage, status.CanaryWeight, await bed.LiveCanaryWeightAsync()));
            if (until(seen[^1]))
            {
                return seen;
            }
        }

        throw new InvalidOperationException("the progress channel ended");
    }

    [Fact]
    public async Task HealthyCanary_IsPromotedThroughEveryStage()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync();
        await using var engine = bed.StartEngine();

        var seen = await FollowAsync(bed, engine, s => RolloutMachine.IsTerminal(s.Phase));

        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Phase);
        Assert.Equal([20, 50, 100], seen.Where(s => s.Phase == RolloutPhase.Progressing).Select(s => s.LiveWeight).Distinct());
        Assert.All(seen, s => Assert.Equal(s.StatusWeight, s.LiveWeight));
        Assert.Equal(100, await bed.LiveCanaryWeightAsync());
    }

    [Fact]
    public async Task FailingCanary_IsRolledBackWithAllTrafficOnStable()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy with { ErrorRate = 0.3 });
        await bed.CreatePlanAsync();
        await using var engine = bed.StartEngine();

        var seen = await FollowAsync(bed, engine, s => RolloutMachine.IsTerminal(s.Phase));

        Assert.Equal(RolloutPhase.RolledBack, seen[^1].Phase);
        Assert.DoesNotContain(seen, s => s.LiveWeight > 20);
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        var status = (await engine.GetRequiredService<IRolloutStore>().GetAsync("bookinfo", "reviews", CancellationToken.None))!.Status;
        Assert.Equal(RollbackCause.AnalysisFailed, status.Cause);
        var successRate = Assert.Single(status.Metrics, m => m.Name == "success-rate");
        Assert.Equal("fail", successRate.Verdict);
        Assert.InRange(successRate.Value!.Value, 55, 85);
    }

    [Fact]
    public async Task AnEngineStoppedMidRollout_ResumesAtTheSameStageWhenStartedAgain()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync();
        List<Seen> before;
        await using (var first = bed.StartEngine())
        {
            before = await FollowAsync(bed, first, s => s.Stage == 1);
            await (await first.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown(waitForJobsToComplete: true);
        }

        Assert.Equal(50, await bed.LiveCanaryWeightAsync());
        await using var second = bed.StartEngine();
        var after = await FollowAsync(bed, second, s => RolloutMachine.IsTerminal(s.Phase), rebuild: true);

        Assert.Equal(1, after[0].Stage ?? 2);
        Assert.Equal(RolloutPhase.Succeeded, after[^1].Phase);
        Assert.DoesNotContain(after, s => s.LiveWeight < 50);
        Assert.Equal(20, before.First(s => s.Phase == RolloutPhase.Progressing).LiveWeight);
    }
}
