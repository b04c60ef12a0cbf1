using k8s;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Scheduling;
using CanaryPilot.Testing;
using CanaryPilot.Tests.Service;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// A resilience stage on bookinfo: reviews v2 calls ratings, and for the stage half of its calls wait 2 s, through a
/// fault route CanaryPilot adds to the ratings VirtualService for v2's pods alone. A v2 with a sane timeout copes; one
/// without is rolled back. However the rollout leaves the stage, the ratings VirtualService is as its team wrote it.
/// </summary>
public sealed class ResilienceEndToEndTests
{
    private const string FaultRoute = "canarypilot-reviews-fault-default";

    /// <summary>The bed's plan with a resilience stage between 20% and 100%, lasting <paramref name="minDuration"/>.</summary>
    private static string Plan(string minDuration = "6s") => RolloutTestBed.Plan.Replace(
        "  stages: [{weight: 20}, {weight: 50}, {weight: 100}]",
        $$$"""
          stages:
            - {weight: 20}
            - name: ratings-slow
              kind: resilience
              weight: 50
              minDuration: {{{minDuration}}}
              faults: [{host: ratings, delay: {fixedDelay: 2s, percentage: 50}}]
              thresholds: [{metric: latency-p99, max: 1000}]
            - {weight: 100}
        """,
        StringComparison.Ordinal);

    private static async Task<JsonObject?> FaultRouteAsync(RolloutTestBed bed)
    {
        var ratings = JsonNode.Parse(await bed.VirtualServiceTextAsync("ratings"))!;
        return ratings["spec"]!["http"]!.AsArray().OfType<JsonObject>().FirstOrDefault(r => r["name"]?.GetValue<string>() == FaultRoute);
    }

    /// <summary>Until the rollout ends, noting the fault route as the ratings VirtualService held it during the resilience stage.</summary>
    private static Func<RolloutStatus, Task<bool>> NotingTheFault(RolloutTestBed bed, List<JsonObject> faults) => async status =>
    {
        if (status is { Phase: RolloutPhase.Progressing, Stage: 1 } && await FaultRouteAsync(bed) is { } fault)
        {
            faults.Add(fault);
        }

        return RolloutMachine.IsTerminal(status.Phase);
    };

    [Fact]
    public async Task ACanaryWithASaneTimeout_PassesTheStage_AndRatingsEndsAsItsTeamWroteIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Careful(TimeSpan.FromMilliseconds(200)));
        var before = await bed.VirtualServiceTextAsync("ratings");
        await bed.CreatePlanAsync(Plan());
        await using var engine = bed.StartEngine();

        var faults = new List<JsonObject>();
        var seen = await bed.FollowAsync(engine, NotingTheFault(bed, faults));

        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
        Assert.Equal([20, 50, 100], seen.Where(s => s.Status.Phase == RolloutPhase.Progressing).Select(s => s.LiveWeight).Distinct());
        var fault = Assert.Single(faults.Select(f => f.ToJsonString()).Distinct());
        Assert.Equal(
            """{"name":"canarypilot-reviews-fault-default","match":[{"sourceLabels":{"version":"v2"},"sourceNamespace":"bookinfo"}],"route":[{"destination":{"host":"ratings","subset":"v1","port":{"number":9080}}}],"timeout":"5s","retries":{"attempts":2,"perTryTimeout":"3s","retryOn":"connect-failure"},"someFutureIstioField":{"enabled":true},"fault":{"delay":{"percentage":{"value":50},"fixedDelay":"2s"}}}""",
            fault);
        Assert.Equal(before, await bed.VirtualServiceTextAsync("ratings"));
    }

    [Fact]
    public async Task ACanaryWithoutATimeout_IsRolledBack_AndRatingsEndsAsItsTeamWroteIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Naive);
        var before = await bed.VirtualServiceTextAsync("ratings");
        await bed.CreatePlanAsync(Plan());
        await using var engine = bed.StartEngine();

        var faults = new List<JsonObject>();
        var seen = await bed.FollowAsync(engine, NotingTheFault(bed, faults));

        Assert.Equal(RolloutPhase.RolledBack, seen[^1].Status.Phase);
        Assert.NotEmpty(faults);
        Assert.Equal(RollbackCause.AnalysisFailed, seen[^1].Status.Cause);
        var latency = Assert.Single(seen[^1].Status.Metrics, m => m.Name == "latency-p99");
        Assert.Equal(("fail", "<= 1000"), (latency.Verdict, latency.Threshold));
        Assert.True(latency.Value > 1000, $"p99 {latency.Value} ms");
        Assert.Contains("stage 2 of 3: ratings-slow", seen.Select(s => s.Status.Message));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        Assert.Equal(before, await bed.VirtualServiceTextAsync("ratings"));
    }

    [Fact]
    public async Task AbortedDuringTheStage_RatingsEndsAsItsTeamWroteIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Careful(TimeSpan.FromMilliseconds(200)));
        var before = await bed.VirtualServiceTextAsync("ratings");
        await bed.CreatePlanAsync(Plan(minDuration: "10m"));
        await using var engine = bed.StartEngine();

        await bed.FollowAsync(engine, async s => s.Stage == 1 && await FaultRouteAsync(bed) is not null);
        var aborted = await engine.GetRequiredService<RolloutReconciler>().ReconcileAsync("bookinfo", "reviews", new AbortCommand("the ratings team asked"), CancellationToken.None);

        Assert.Equal(RolloutPhase.Aborted, aborted.Status!.Phase);
        Assert.Equal(before, await bed.VirtualServiceTextAsync("ratings"));
    }

    [Fact]
    public async Task PlanDeletedDuringTheStage_WithRestoreStable_RatingsEndsAsItsTeamWroteIt()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Careful(TimeSpan.FromMilliseconds(200)));
        var before = await bed.VirtualServiceTextAsync("ratings");
        await bed.CreatePlanAsync(Plan(minDuration: "10m") + "\n  onDelete: restoreStable\n");
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await Eventually.TrueAsync(async () => await FaultRouteAsync(bed) is not null, "the resilience stage's fault route", TimeSpan.FromMinutes(1));

        await bed.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");

        await Eventually.TrueAsync(async () => await bed.VirtualServiceTextAsync("ratings") == before, "the ratings VirtualService as its team wrote it", TimeSpan.FromSeconds(30));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
    }

    [Fact]
    public async Task AnEngineThatStoppedAfterSavingTheNextStage_TakesTheFaultOutOnResume()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Careful(TimeSpan.FromMilliseconds(200)));
        var before = await bed.VirtualServiceTextAsync("ratings");
        await bed.CreatePlanAsync(Plan(minDuration: "10m"));
        await using (var first = bed.StartEngine())
        {
            await bed.FollowAsync(first, async s => s.Stage == 1 && await FaultRouteAsync(bed) is not null);
            await (await first.GetRequiredService<ISchedulerFactory>().GetScheduler()).Shutdown(waitForJobsToComplete: true);
            // As if the engine saved the move to 100% and stopped before it changed the mesh.
            await first.GetRequiredService<IRolloutStore>().UpdateStatusAsync("bookinfo", "reviews", s => s with
            {
                Stage = 2,
                StageName = "100%",
                CanaryWeight = 100,
                StableWeight = 0,
                StageStartedAt = DateTimeOffset.UtcNow,
                StagePassingSince = DateTimeOffset.UtcNow,
                StagePasses = 0,
            }, CancellationToken.None);
        }

        Assert.NotNull(await FaultRouteAsync(bed));
        await using var second = bed.StartEngine();
        await (await second.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        Assert.Equal(1, await second.GetRequiredService<RolloutScheduler>().RebuildAsync(await second.GetRequiredService<IRolloutStore>().ListAsync(CancellationToken.None), CancellationToken.None));
        await Eventually.TrueAsync(async () => await bed.VirtualServiceTextAsync("ratings") == before, "the ratings VirtualService as its team wrote it", TimeSpan.FromSeconds(30));

        var seen = await bed.FollowAsync(second, status => Task.FromResult(RolloutMachine.IsTerminal(status.Phase)));
        Assert.Equal(RolloutPhase.Succeeded, seen[^1].Status.Phase);
        Assert.Equal(before, await bed.VirtualServiceTextAsync("ratings"));
    }

    [Fact]
    public async Task ADependencyWithoutAVirtualService_RollsBackAsTheStageBegins_WithTheReason()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, canaryCalls: DependencyCall.Careful(TimeSpan.FromMilliseconds(200)));
        await bed.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "ratings");
        await bed.CreatePlanAsync(Plan());
        await using var engine = bed.StartEngine();

        var seen = await bed.FollowToTheEndAsync(engine);

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.TrafficRefused), (seen[^1].Status.Phase, seen[^1].Status.Cause));
        Assert.EndsWith("the mesh cannot carry the stage's traffic: no VirtualService in namespace bookinfo routes ratings; Istio injects faults through one: create it, or name it in the fault's virtualService", seen[^1].Status.Message, StringComparison.Ordinal);
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
    }
}
