using System.Text.Json.Nodes;
using CanaryPilot.Testing;
using CanaryPilot.Core.Rollouts;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// Whole rollouts in ambient mode: the router moves the weights of a team's HTTPRoute in the emulator, the mesh
/// follows the route through a waypoint and writes its parents' verdict, and Prometheus measures the waypoint's telemetry.
/// </summary>
public sealed class AmbientEndToEndTests
{
    [Fact]
    public async Task HealthyCanary_OnAnHttpRoute_IsPromoted_AndTheRouteDiffersOnlyInWeights()
    {
        await using var bed = await RolloutTestBed.StartAmbientAsync(RolloutTestBed.Healthy);
        var before = await bed.RouteAsync();
        await bed.CreatePlanAsync(RolloutTestBed.AmbientPlan);
        await using var engine = bed.StartEngine();

        var seen = await bed.FollowToTheEndAsync(engine);

        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
        Assert.Equal([20, 50, 100], seen.Where(s => s.Status.Phase == RolloutPhase.Progressing).Select(s => s.LiveWeight).Distinct());
        var after = await bed.RouteAsync();
        Assert.True(JsonNode.DeepEquals(RouteShapes.WithoutWeights(before), RouteShapes.WithoutWeights(after)), $"more than the weights changed:\n{before["spec"]}\n{after["spec"]}");
        Assert.Equal([0, 100], after["spec"]!["rules"]![1]!["backendRefs"]!.AsArray().Select(b => b!["weight"]!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
        Assert.Null(after["metadata"]!["annotations"]?["canarypilot.io/restore"]);
        var status = (await engine.GetRequiredService<IRolloutStore>().GetAsync("bookinfo", "reviews", CancellationToken.None))!.Status;
        Assert.Contains("reporter=\"waypoint\"", Assert.Single(status.Metrics, m => m.Name == "success-rate").Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailingCanary_OnAnHttpRoute_IsRolledBack_AndTheRouteIsAsItWas()
    {
        await using var bed = await RolloutTestBed.StartAmbientAsync(RolloutTestBed.Healthy with { ErrorRate = 0.3 });
        var before = await bed.RouteAsync();
        await bed.CreatePlanAsync(RolloutTestBed.AmbientPlan);
        await using var engine = bed.StartEngine();

        var seen = await bed.FollowToTheEndAsync(engine);

        Assert.Equal(RolloutPhase.RolledBack, seen[^1].Status.Phase);
        Assert.Equal(RollbackCause.AnalysisFailed, seen[^1].Status.Cause);
        Assert.DoesNotContain(seen, s => s.LiveWeight > 20);
        var after = await bed.RouteAsync();
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]), $"spec changed:\n{before["spec"]}\n{after["spec"]}");
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["annotations"], after["metadata"]!["annotations"]));
    }

    [Fact]
    public async Task AParentThatRefusesTheRoute_HoldsTheRolloutWithTheReason_UntilItAccepts()
    {
        await using var bed = await RolloutTestBed.StartAmbientAsync(RolloutTestBed.Healthy, canaryService: false);
        await bed.CreatePlanAsync(RolloutTestBed.AmbientPlan);
        await using var engine = bed.StartEngine();
        var held = 0;

        var seen = await bed.FollowAsync(engine, async status =>
        {
            if (status.TrafficHold is not null && ++held == 3)
            {
                // The team creates the canary's Service: the waypoint resolves the backend and accepts the route.
                await RolloutTestBed.CreateServiceAsync(bed.Cluster, "reviews-v2");
            }

            return RolloutMachine.IsTerminal(status.Phase);
        });

        var holding = seen.Where(s => s.Status.TrafficHold is not null).ToList();
        Assert.True(holding.Count >= 3, "the rollout held while the parent refused the route");
        Assert.All(holding, s => Assert.Equal((0, 20), (s.Status.Stage, s.LiveWeight)));
        Assert.All(holding, s => Assert.Contains("BackendNotFound: backend(reviews-v2.bookinfo.svc.cluster.local) not found", s.Status.TrafficHold, StringComparison.Ordinal));
        Assert.Contains("parent Service bookinfo/reviews port 9080 reports ResolvedRefs False", holding[0].Status.Message, StringComparison.Ordinal);
        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
    }
}
