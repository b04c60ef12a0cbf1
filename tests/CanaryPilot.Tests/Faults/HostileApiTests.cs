using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Tests.EndToEnd;
using CanaryPilot.Tests.Service;

namespace CanaryPilot.Tests.Faults;

/// <summary>
/// <c>serve</c>'s API under hostile requests: every one is refused with its own 4xx (never a 5xx, never a
/// dropped connection), a refused request changes nothing, and the API answers normally afterwards.
/// </summary>
public sealed class HostileApiTests(HostileApiTests.Replica replica) : IClassFixture<HostileApiTests.Replica>
{
    private const string Rollout = "/api/v1/rollouts/bookinfo/reviews";
    private const string Trigger = Rollout + "/trigger";
    private const string ValidTrigger = """{"idempotencyKey": "hostile-1", "revision": "reviews:9.9.9"}""";

    private readonly RolloutTestBed _bed = replica.Bed;
    private readonly ServiceUnderTest _service = replica.Service;

    /// <summary>One bed and one replica for the class: every test leaves them as it found them.</summary>
    public sealed class Replica : IAsyncLifetime
    {
        internal RolloutTestBed Bed { get; private set; } = null!;

        internal ServiceUnderTest Service { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
            await Bed.CreatePlanAsync(RolloutTestBed.Plan.Replace("{weight: 20}", "{weight: 20, approval: required}", StringComparison.Ordinal));
            // The deployment's Lease: with the tests' 2 s one, a thousand requests at once on a busy machine can
            // delay a renewal past its deadline, and the replica answers actions 503 (standby) until it leads again.
            Service = await ServiceUnderTest.StartAsync(Bed, lease: TimeSpan.FromSeconds(15));
            await Eventually.TrueAsync(() => Service.Leader.IsLeader, "the replica to lead");
            await Eventually.TrueAsync(async () => await Bed.PhaseAsync() == "Progressing", "the rollout to start");

            // Paused, the rollout holds still, so any change would be a hostile request's doing.
            using var pause = await Service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, Rollout + "/pause"));
            Assert.Equal(HttpStatusCode.OK, pause.StatusCode);
        }

        public async Task DisposeAsync()
        {
            await Service.DisposeAsync();
            await Bed.DisposeAsync();
        }
    }

    /// <summary>A body just over <c>MaxRequestBytes</c> (64 KiB), well-formed otherwise.</summary>
    private static string OversizeTrigger() => "{\"idempotencyKey\": \"k\", \"revision\": \"" + new string('x', 65 * 1024) + "\"}";

    public static TheoryData<string, byte[]> MalformedBodies() => new()
    {
        { "not JSON", "{not json"u8.ToArray() },
        { "empty", [] },
        { "truncated", """{"idempotencyKey": "k", "revision": """u8.ToArray() },
        { "a list", "[]"u8.ToArray() },
        { "a string", "\"trigger\""u8.ToArray() },
        { "null", "null"u8.ToArray() },
        { "wrong types", """{"idempotencyKey": 42, "revision": ["v2"]}"""u8.ToArray() },
        { "nested 10,000 deep", Encoding.UTF8.GetBytes(new string('[', 10_000) + new string(']', 10_000)) },
        { "invalid UTF-8", [.. "{\"idempotencyKey\": \"k\", \"revision\": \""u8, 0xC3, 0x28, 0xFF, .. "\"}"u8] },
        { "a NUL byte", [.. "{\"idempotencyKey\": \"k\0\", \"revision\": \"v\"}"u8] },
        { "trailing garbage", """{"idempotencyKey": "k", "revision": "v"} {"#"""u8.ToArray() },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task Trigger_MalformedBody_Answers400AndChangesNothing(string what, byte[] body)
    {
        var before = await PlanJsonAsync();
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, Trigger, body: content));

        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal((what, 400, "Malformed body"), (what, (int)response.StatusCode, (string?)problem["title"]));
        AssertUnchanged(before, await PlanJsonAsync());
    }

    [Fact]
    public async Task Trigger_BodyOverMaxRequestBytes_Answers413AndChangesNothing() =>
        await AssertRefusedAsync(HttpMethod.Post, Trigger, ServiceUnderTest.OperatorToken, new StringContent(OversizeTrigger(), Encoding.UTF8, "application/json"), HttpStatusCode.RequestEntityTooLarge);

    [Fact]
    public async Task Trigger_TenMiBBody_WithExpectContinue_Answers413BeforeTheBodyIsSent()
    {
        // Without Expect: 100-continue a client sending this much sees the connection closed after the 413:
        // HTTP/1.1 leaves a server that will not read 10 MiB no other way to end the request.
        using var request = ServiceUnderTest.Request(HttpMethod.Post, Trigger, body: new StringContent(new string('x', 10 * 1024 * 1024), Encoding.UTF8, "application/json"));
        request.Headers.ExpectContinue = true;

        await AssertRefusedAsync(request, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/xml")]
    [InlineData(null)]
    public async Task Trigger_NotJsonContentType_Answers415AndChangesNothing(string? mediaType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ValidTrigger));
        content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);

        await AssertRefusedAsync(HttpMethod.Post, Trigger, ServiceUnderTest.OperatorToken, content, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("GET", "/api/v2/rollouts")]
    [InlineData("GET", "/nothing-here")]
    [InlineData("GET", "/api/v1/rollouts/bookinfo/reviews/events/more")]
    [InlineData("GET", "/api/v1/rollouts/..%2f..%2f..%2fhealthz")]
    [InlineData("GET", "/api/v1/rollouts/..%2fkube-system/secrets")]
    [InlineData("GET", "/api/v1/rollouts/%2e%2e/reviews")]
    [InlineData("GET", "/api/v1/rollouts/bookinfo/..%2f..%2fdefault%2fcanarypilot-controller")]
    [InlineData("GET", "/api/v1/rollouts/Not_A_Namespace/reviews")]
    [InlineData("POST", "/api/v1/rollouts/bookinfo/reviews/..%2fabort")]
    public async Task UnknownRoute_Answers404AndChangesNothing(string method, string path) =>
        await AssertRefusedAsync(new HttpMethod(method), path, ServiceUnderTest.OperatorToken, null, HttpStatusCode.NotFound);

    [Fact]
    public async Task NulInThePath_IsRefusedBeforeRouting()
    {
        var before = await PlanJsonAsync();

        using var response = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Post, Rollout + "/%00"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertUnchanged(before, await PlanJsonAsync());
    }

    public static TheoryData<string, string?> BadAuthorizations() => new()
    {
        { "GET", null },
        { "GET", "Bearer" },
        { "GET", "Bearer " },
        { "GET", "Bearer not-a-token" },
        { "GET", "Basic " + Convert.ToBase64String("admin:admin"u8.ToArray()) },
        { "GET", "Bearer " + ServiceUnderTest.OperatorToken + "x" },
        { "GET", "Bearer " + new string('t', 16 * 1024) },
        { "GET", ServiceUnderTest.OperatorToken },
        { "POST", null },
        { "POST", "Bearer not-a-token" },
    };

    [Theory]
    [MemberData(nameof(BadAuthorizations))]
    public async Task MissingOrInvalidToken_Answers401AndChangesNothing(string method, string? authorization)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), method == "GET" ? Rollout : Rollout + "/abort");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var before = await PlanJsonAsync();

        using var response = await _service.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        AssertUnchanged(before, await PlanJsonAsync());
    }

    /// <summary>The kinds of request in the storm, each malformed in its own way, and the status each must get.</summary>
    private static readonly (string What, HttpStatusCode Expected, Func<int, HttpRequestMessage> Make)[] Storm =
    [
        ("truncated JSON", HttpStatusCode.BadRequest, i => ServiceUnderTest.Request(HttpMethod.Post, Trigger, body: new StringContent("{\"idempotencyKey\": " + i, Encoding.UTF8, "application/json"))),
        ("a body over 64 KiB", HttpStatusCode.RequestEntityTooLarge, _ => ServiceUnderTest.Request(HttpMethod.Post, Trigger, body: new StringContent(OversizeTrigger(), Encoding.UTF8, "application/json"))),
        ("a made-up token", HttpStatusCode.Unauthorized, i => ServiceUnderTest.Request(HttpMethod.Post, Rollout + "/abort", token: $"stolen-{i}")),
        ("path traversal", HttpStatusCode.NotFound, i => ServiceUnderTest.Request(HttpMethod.Get, $"/api/v1/rollouts/..%2f..%2fkube-system%2fsecrets/{i}")),
        ("a 24 KB query string", HttpStatusCode.RequestUriTooLong, i => ServiceUnderTest.Request(HttpMethod.Get, "/api/v1/rollouts?" + string.Concat(Enumerable.Repeat($"q{i}=%ff%00&", 2000)))),
        ("a broken query string, no token", HttpStatusCode.Unauthorized, _ => ServiceUnderTest.Request(HttpMethod.Get, Rollout + "?watch=true&limit=-1&" + new string('%', 100), token: null)),
        ("a trigger as text/plain", HttpStatusCode.UnsupportedMediaType, _ => ServiceUnderTest.Request(HttpMethod.Post, Trigger, body: new StringContent(ValidTrigger, Encoding.UTF8, "text/plain"))),
        ("an unknown command", HttpStatusCode.NotFound, i => ServiceUnderTest.Request(HttpMethod.Post, Rollout + $"/explode-{i}")),
    ];

    [Fact]
    public async Task AThousandConcurrentMalformedRequests_AllGetTheir4xx_AndTheApiStillAnswers()
    {
        var before = await PlanJsonAsync();
        using var http = new HttpClient { BaseAddress = _service.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        // All at once: every request has its own connection, none waits for another's answer.
        var answers = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i => Task.Run(async () =>
        {
            var (what, _, make) = Storm[i % Storm.Length];
            using var request = make(i);
            using var response = await http.SendAsync(request);
            return (What: what, Status: response.StatusCode);
        })));

        var expected = Enumerable.Range(0, 1000).Select(i => (Storm[i % Storm.Length].What, Storm[i % Storm.Length].Expected));
        Assert.Equal(expected, answers);
        using var normal = await _service.Http.SendAsync(ServiceUnderTest.Request(HttpMethod.Get, Rollout, ServiceUnderTest.ViewerToken));
        Assert.Equal(HttpStatusCode.OK, normal.StatusCode);
        var rollout = JsonNode.Parse(await normal.Content.ReadAsStringAsync())!;
        Assert.Equal(("bookinfo", "reviews", "Paused"), ((string?)rollout["namespace"], (string?)rollout["name"], (string?)rollout["status"]!["phase"]));
        using var health = await _service.Http.GetAsync("/healthz");
        Assert.Equal((HttpStatusCode.OK, "ok"), (health.StatusCode, await health.Content.ReadAsStringAsync()));
        AssertUnchanged(before, await PlanJsonAsync());
    }

    private async Task AssertRefusedAsync(HttpMethod method, string path, string? token, HttpContent? body, HttpStatusCode expected)
    {
        using var request = ServiceUnderTest.Request(method, path, token, body);
        await AssertRefusedAsync(request, expected);
    }

    private async Task AssertRefusedAsync(HttpRequestMessage request, HttpStatusCode expected)
    {
        var before = await PlanJsonAsync();

        using var response = await _service.Http.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        AssertUnchanged(before, await PlanJsonAsync());
    }

    /// <summary>The plan as the user wrote it, and where its rollout stands, are as they were.</summary>
    private static void AssertUnchanged(JsonNode before, JsonNode after)
    {
        Assert.Equal(before["spec"]!.ToJsonString(), after["spec"]!.ToJsonString());
        Assert.Equal(((string?)before["status"]!["phase"], (int?)before["status"]!["attempt"]), ((string?)after["status"]!["phase"], (int?)after["status"]!["attempt"]));
    }

    private async Task<JsonNode> PlanJsonAsync() => await _bed.PlanAsync();
}
