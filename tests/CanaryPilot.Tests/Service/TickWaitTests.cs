using System.Net;
using System.Text.Json.Nodes;
using CanaryPilot.Scheduling;
using CanaryPilot.Tests.EndToEnd;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Tests.Service;

/// <summary>What a tick waits on — Prometheus — neither holds a person's command back nor uses settings the plan no longer has.</summary>
public sealed class TickWaitTests
{

    [Fact]
    public async Task Abort_WhilePrometheusHangs_IsCarriedOutAtOnce_AndTheLateResultBringsNoTrafficBack()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var prometheus = await Receiver.StartAsync(Receiver.Hang(release));
        await bed.CreatePlanAsync();
        await using var service = await ServiceUnderTest.StartAsync(bed, prometheus: prometheus.Address);
        await Eventually.TrueAsync(() => prometheus.Count > 0, "a tick to wait on Prometheus", TimeSpan.FromSeconds(30));
        Assert.Equal(20, await bed.LiveCanaryWeightAsync());

        // Prometheus answers nothing for 10 s an attempt, four attempts: a command queued behind the tick would wait that long.
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        using (var abort = await service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/abort"), deadline.Token))
        {
            Assert.Equal(HttpStatusCode.OK, abort.StatusCode);
        }

        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        release.SetResult();
        var scheduler = service.App.Services.GetRequiredService<RolloutScheduler>();
        await Eventually.TrueAsync(async () => !await scheduler.IsScheduledAsync("bookinfo", "reviews", CancellationToken.None), "the waiting tick to end, and the job with it", TimeSpan.FromSeconds(60));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        Assert.Equal("Aborted", await bed.PhaseAsync());
    }

    [Fact]
    public async Task AnEditedHeader_AndARotatedTokenSecret_ReachPrometheusAtTheNextTicks()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await using var prometheus = await Receiver.StartAsync(Receiver.Always(200, """{"status": "success", "data": {"resultType": "vector", "result": []}}"""));
        await bed.Cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "prometheus-token" }, StringData = new Dictionary<string, string> { ["token"] = "token-before" } }, "bookinfo");
        await bed.CreatePlanAsync(RolloutTestBed.Plan.Replace(
            "prometheus: {scrapeInterval: 1s}",
            "prometheus: {scrapeInterval: 1s, headers: [{name: X-Scope-OrgID, value: team-a}], bearerToken: {secretKeyRef: {name: prometheus-token, key: token}}}",
            StringComparison.Ordinal));
        await using var service = await ServiceUnderTest.StartAsync(bed, prometheus: prometheus.Address);
        await Eventually.TrueAsync(() => prometheus.Requests.Any(r => r.Header("X-Scope-OrgID") == "team-a" && r.Header("Authorization") == "Bearer token-before"), "a query with the plan's first settings", TimeSpan.FromSeconds(30));

        await bed.Cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec": {"analysis": {"prometheus": {"headers": [{"name": "X-Scope-OrgID", "value": "team-b"}]}}}}""", V1Patch.PatchType.MergePatch),
            "canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");
        await bed.Cluster.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch("""{"stringData": {"token": "token-after"}}""", V1Patch.PatchType.MergePatch), "prometheus-token", "bookinfo");

        await Eventually.TrueAsync(() => prometheus.Requests.Any(r => r.Header("X-Scope-OrgID") == "team-b" && r.Header("Authorization") == "Bearer token-after"), "a query with the edited header and the rotated token", TimeSpan.FromSeconds(30));
        Assert.Equal("Progressing", await bed.PhaseAsync());
    }
}
