using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>A rollout whose traffic does not follow the weights it set: the requests it measures show it, and it never promotes.</summary>
public sealed class TrafficShareEndToEndTests
{
    [Fact]
    public async Task TrafficThatIgnoresTheWeights_HoldsWithTheObservedShare_AndNeverPromotes()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        // Half the requests reach v2 whatever the route says: a GitOps tool, sticky clients, a skipped waypoint.
        bed.Mesh.IgnoreWeights(0.5);
        await bed.CreatePlanAsync(RolloutTestBed.Plan.Replace("maxDuration: 90s", "maxDuration: 12s", StringComparison.Ordinal));
        await using var engine = bed.StartEngine();
        await (await engine.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        await engine.GetRequiredService<RolloutScheduler>().ScheduleAsync("bookinfo", "reviews", TimeSpan.FromSeconds(2), CancellationToken.None);

        var seen = new List<RolloutStatus>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(deadline.Token))
        {
            Assert.Null(report.Failure);
            seen.Add(report.Result!.Status!);
            if (RolloutMachine.IsTerminal(seen[^1].Phase))
            {
                break;
            }
        }

        var held = seen.Where(s => s.TrafficHold is not null).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, s => Assert.Equal((0, 20), (s.Stage, s.CanaryWeight)));
        Assert.Matches(@"^traffic does not follow the weights: the canary served (4\d|5\d)(\.\d)?% of the requests \(\d+ of \d+\) where its weight is 20%, more than 10 points off$", held[0].TrafficHold);
        Assert.DoesNotContain(seen, s => s.Phase == RolloutPhase.Promoting || s.CanaryWeight > 20);
        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.NoEvidence), (seen[^1].Phase, seen[^1].Cause));
        Assert.Contains("traffic does not follow the weights", seen[^1].Message, StringComparison.Ordinal);
    }
}
