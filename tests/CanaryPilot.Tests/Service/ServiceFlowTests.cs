using k8s;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Tests.EndToEnd;

namespace CanaryPilot.Tests.Service;

/// <summary>The controller and its API driving real rollouts: events, approval, abort, retry, triggers, failover.</summary>
public sealed class ServiceFlowTests
{
    private const string GatedPlan = RolloutTestBed.Plan;

    /// <summary>Reads server-sent <c>status</c> events until one satisfies <paramref name="until"/>.</summary>
    private static async Task<JsonNode> FollowAsync(ServiceUnderTest service, Func<JsonNode, bool> until)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await service.Http.SendAsync(
            ServiceUnderTest.Request(HttpMethod.Get, "/api/v1/rollouts/bookinfo/reviews/events", ServiceUnderTest.ViewerToken),
            HttpCompletionOption.ResponseHeadersRead,
            deadline.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        while (await reader.ReadLineAsync(deadline.Token) is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal) && JsonNode.Parse(line[6..]) is { } status && until(status))
            {
                return status;
            }
        }

        throw new InvalidOperationException("the event stream ended");
    }

    private static async Task<HttpStatusCode> PostAsync(ServiceUnderTest service, string command, string? body = null)
    {
        using var response = await service.Http.SendAsync(ServiceUnderTest.Request(
            HttpMethod.Post, $"/api/v1/rollouts/bookinfo/reviews/{command}", body: body is null ? null : new StringContent(body, Encoding.UTF8, "application/json")));
        return response.StatusCode;
    }

    private static string Phase(JsonNode status) => status["phase"]!.GetValue<string>();

    [Fact]
    public async Task ApprovedGate_Abort_Retry_AndATrigger_AllThroughTheApi()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(GatedPlan.Replace("{weight: 20}", "{weight: 20, approval: required}", StringComparison.Ordinal));
        await using var service = await ServiceUnderTest.StartAsync(bed);

        await FollowAsync(service, s => Phase(s) == "AwaitingApproval");
        Assert.Equal(HttpStatusCode.OK, await PostAsync(service, "approve"));
        await FollowAsync(service, s => s["stage"]?.GetValue<int>() >= 1);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(service, "abort"));
        Assert.Equal("Aborted", Phase(await FollowAsync(service, s => RolloutEnded(s))));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());

        Assert.Equal(HttpStatusCode.OK, await PostAsync(service, "retry"));
        await FollowAsync(service, s => Phase(s) == "AwaitingApproval" && s["attempt"]?.GetValue<int>() == 2);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(service, "approve"));
        Assert.Equal("Succeeded", Phase(await FollowAsync(service, s => RolloutEnded(s))));

        const string trigger = """{"idempotencyKey": "ci-build-42", "revision": "reviews:2.1.0"}""";
        Assert.Equal(HttpStatusCode.Accepted, await PostAsync(service, "trigger", trigger));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(service, "trigger", trigger));
        var started = await FollowAsync(service, s => s["revision"]?.GetValue<string>()?.EndsWith("(revision reviews:2.1.0)", StringComparison.Ordinal) == true);
        Assert.Equal(1, started["attempt"]!.GetValue<int>());

        // v2 was promoted: it is now the stable, and v1, idle, carries the new revision as the canary.
        var plan = JsonNode.Parse((await bed.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString()!)!;
        Assert.Equal("v2", (string?)plan["spec"]!["service"]!["stable"]!["subset"]);
        Assert.Equal("reviews-v2", (string?)plan["spec"]!["service"]!["stable"]!["workload"]);
        Assert.Equal("v1", (string?)plan["spec"]!["service"]!["canary"]!["subset"]);
        Assert.Equal("reviews:2.1.0", (string?)plan["spec"]!["service"]!["canary"]!["revision"]);
    }

    [Fact]
    public async Task PlanDeletedMidRollout_WithOnDeleteRestoreStable_GivesAllTrafficBackToStable()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(GatedPlan.Replace("{weight: 20}", "{weight: 20, approval: required}", StringComparison.Ordinal) + "\n  onDelete: restoreStable\n");
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await FollowAsync(service, s => Phase(s) == "AwaitingApproval");
        Assert.Equal(20, await bed.LiveCanaryWeightAsync());

        await bed.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");

        await Eventually.TrueAsync(async () => await bed.LiveCanaryWeightAsync() == 0, "the deleted plan's traffic to go back to stable", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task TwoReplicas_WhenTheLeaderStops_TheOtherFinishesWithoutLosingOrRepeatingAStage()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync(GatedPlan.Replace("{weight: 50}", "{weight: 50, minDuration: 4s}", StringComparison.Ordinal));
        var first = await ServiceUnderTest.StartAsync(bed, "replica-a");
        await Eventually.TrueAsync(() => first.Leader.IsLeader, "replica-a to lead");
        await using var second = await ServiceUnderTest.StartAsync(bed, "replica-b");
        using (var refused = await second.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/pause")))
        {
            // The standby refuses writes, marked so that a client may send them again to the leader.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("true", refused.Headers.GetValues(CanaryPilot.Service.RolloutsApi.StandbyHeader).Single());
        }

        var atFifty = await FollowAsync(second, s => s["canaryWeight"]?.GetValue<int>() == 50);
        await first.DisposeAsync();
        await Eventually.TrueAsync(() => second.Leader.IsLeader, "replica-b to take over", TimeSpan.FromSeconds(30));
        var weights = new List<int>();
        var final = await FollowAsync(second, s =>
        {
            weights.Add(s["canaryWeight"]!.GetValue<int>());
            return RolloutEnded(s);
        });

        Assert.Equal("Succeeded", Phase(final));
        Assert.Equal(1, atFifty["stage"]!.GetValue<int>());
        Assert.DoesNotContain(weights, w => w < 50);
        Assert.Equal(1, final["attempt"]!.GetValue<int>());
    }

    private static bool RolloutEnded(JsonNode status) => Phase(status) is "Succeeded" or "RolledBack" or "Aborted";
}
