using CanaryPilot.Core.Rollouts;

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

        var seen = (await bed.FollowToTheEndAsync(engine)).Select(s => s.Status).ToList();

        var held = seen.Where(s => s.TrafficHold is not null).ToList();
        Assert.NotEmpty(held);
        Assert.All(held, s => Assert.Equal((0, 20), (s.Stage, s.CanaryWeight)));
        Assert.Matches(@"^traffic does not follow the weights: the canary served (4\d|5\d)(\.\d)?% of the requests \(\d+ of \d+\) where its weight is 20%, more than 10 points off$", held[0].TrafficHold);
        Assert.DoesNotContain(seen, s => s.Phase == RolloutPhase.Promoting || s.CanaryWeight > 20);
        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.NoEvidence), (seen[^1].Phase, seen[^1].Cause));
        Assert.Contains("traffic does not follow the weights", seen[^1].Message, StringComparison.Ordinal);
    }
}
