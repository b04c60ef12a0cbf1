using System.Net;
using System.Text;
using CanaryPilot.Tests.EndToEnd;
using k8s;

namespace CanaryPilot.Tests.Service;

/// <summary>Every refusal of the API, and that a refused request changes nothing.</summary>
public sealed class ApiSecurityTests : IAsyncLifetime
{
    private RolloutTestBed _bed = null!;
    private ServiceUnderTest _service = null!;

    public async Task InitializeAsync()
    {
        _bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await _bed.CreatePlanAsync(RolloutTestBed.Plan.Replace("{weight: 20}", "{weight: 20, approval: required}", StringComparison.Ordinal));
        _service = await ServiceUnderTest.StartAsync(_bed);
        await Eventually.TrueAsync(() => _service.Leader.IsLeader, "the replica to lead");
        await Eventually.TrueAsync(async () => (await PlanJsonAsync()).Contains("\"phase\":\"Progressing\"", StringComparison.Ordinal), "the rollout to start");

        // Paused, the rollout holds still, so any change below would be the refused request's doing.
        using var pause = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/pause"));
        Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _service.DisposeAsync();
        await _bed.DisposeAsync();
    }

    private async Task<string> PlanJsonAsync() =>
        (await _bed.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString()!;

    public static TheoryData<string, string, string?, string?, HttpStatusCode> Refusals() => new()
    {
        { "GET", "/api/v1/rollouts", null, null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/rollouts/bookinfo/reviews", "not-a-token", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/abort", null, null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/abort", ServiceUnderTest.ViewerToken, null, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/trigger", ServiceUnderTest.ViewerToken, """{"idempotencyKey": "k", "revision": "v9"}""", HttpStatusCode.Forbidden },
        { "GET", "/api/v1/rollouts/bookinfo/nothing", ServiceUnderTest.ViewerToken, null, HttpStatusCode.NotFound },
        { "POST", "/api/v1/rollouts/bookinfo/nothing/abort", ServiceUnderTest.OperatorToken, null, HttpStatusCode.NotFound },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/explode", ServiceUnderTest.OperatorToken, null, HttpStatusCode.NotFound },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/trigger", ServiceUnderTest.OperatorToken, "{not json", HttpStatusCode.BadRequest },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/trigger", ServiceUnderTest.OperatorToken, """{"revision": "v9"}""", HttpStatusCode.BadRequest },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/trigger", ServiceUnderTest.OperatorToken, """{"idempotencyKey": "k", "canary": {"subset": "v1"}}""", HttpStatusCode.BadRequest },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/trigger", ServiceUnderTest.OperatorToken, "{\"idempotencyKey\": \"k\", \"revision\": \"" + new string('x', 100_000) + "\"}", HttpStatusCode.RequestEntityTooLarge },
        { "POST", "/api/v1/rollouts/bookinfo/reviews/approve", ServiceUnderTest.OperatorToken, null, HttpStatusCode.Conflict },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refused_WithTheRightStatus_AndNothingChanges(string method, string path, string? token, string? body, HttpStatusCode expected)
    {
        var before = await PlanJsonAsync();
        Assert.Equal("Paused", Phase(before));

        using var request = ServiceUnderTest.Request(new HttpMethod(method), path, token, body is null ? null : new StringContent(body, Encoding.UTF8, "application/json"));
        using var response = await _service.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = await PlanJsonAsync();
        Assert.Equal(Spec(before), Spec(after));
        Assert.Equal(Phase(before), Phase(after));
        Assert.DoesNotContain(ServiceUnderTest.OperatorToken, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_ReadsTheListAndARollout()
    {
        using var list = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Get, "/api/v1/rollouts", ServiceUnderTest.ViewerToken));
        using var one = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Get, "/api/v1/rollouts/bookinfo/reviews", ServiceUnderTest.ViewerToken));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (list.StatusCode, one.StatusCode));
        Assert.Contains("\"name\":\"reviews\"", await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static string Spec(string plan) => System.Text.Json.Nodes.JsonNode.Parse(plan)!["spec"]!.ToJsonString();

    private static string? Phase(string plan) => System.Text.Json.Nodes.JsonNode.Parse(plan)!["status"]?["phase"]?.GetValue<string>();
}
