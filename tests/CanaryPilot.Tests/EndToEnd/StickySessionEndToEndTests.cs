using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// Sticky canary sessions on the test bed: 300 clients keep the cookies the responses set, the canary's responses set the
/// rollout's cookie, and a route sends the clients who carry it back to the canary.
/// </summary>
public sealed class StickySessionEndToEndTests
{
    [Fact]
    public async Task ReturningUsersStayOnTheCanary_TheRolloutIsPromoted_AndTheVirtualServiceKeepsNoCookie()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, clients: 300);
        await bed.CreatePlanAsync(RolloutTestBed.Plan
            .Replace("  stages: [{weight: 20}, {weight: 50}, {weight: 100}]", "  stages: [{weight: 20, minDuration: 8s}, {weight: 100}]", StringComparison.Ordinal)
            + "\n  sessionAffinity: {cookieName: reviews-canary, maxAge: 10m}\n");
        await using var engine = bed.StartEngine();

        (long Stable, long Canary)? atTwenty = null, leavingTwenty = null;
        var stickyRoute = false;
        var seen = await bed.FollowAsync(engine, async status =>
        {
            var served = (bed.Mesh.ServedBy("reviews-v1"), bed.Mesh.ServedBy("reviews-v2"));
            if (status is { Phase: RolloutPhase.Progressing, Stage: 0 })
            {
                atTwenty ??= served;
                stickyRoute |= (await bed.VirtualServiceTextAsync("reviews")).Contains("\"canarypilot-reviews-sticky\"", StringComparison.Ordinal);
            }
            else if (atTwenty is not null)
            {
                leavingTwenty ??= served;
            }

            return RolloutMachine.IsTerminal(status.Phase);
        });

        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
        Assert.True(stickyRoute);
        // At 20%, the clients who reached the canary once went on reaching it: far more than 20% of the requests.
        var share = (double)(leavingTwenty!.Value.Canary - atTwenty!.Value.Canary) / (leavingTwenty.Value.Canary - atTwenty.Value.Canary + leavingTwenty.Value.Stable - atTwenty.Value.Stable);
        Assert.True(share > 0.4, $"the canary's share at 20% was {share:P0}");
        var after = await bed.VirtualServiceTextAsync("reviews");
        Assert.DoesNotContain("canarypilot-", after, StringComparison.Ordinal);
        Assert.DoesNotContain("reviews-canary", after, StringComparison.Ordinal);
    }
}
