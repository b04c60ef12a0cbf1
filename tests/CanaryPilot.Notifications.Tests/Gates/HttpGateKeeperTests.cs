using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Notifications.Gates;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Notifications.Tests.Gates;

/// <summary>Gates asked over real HTTP: 2xx opens, anything else closes, silence times out and the policy decides.</summary>
public sealed class HttpGateKeeperTests : IDisposable
{
    private readonly HttpClient _http = NotificationServices.CreateHttpClient();

    private static GateSpec Gate(Uri url, GateTimeoutPolicy onTimeout = GateTimeoutPolicy.Hold) => new()
    {
        Name = "load-test",
        Type = GateType.ConfirmTrafficIncrease,
        Url = url.ToString(),
        Timeout = TimeSpan.FromSeconds(5),
        OnTimeout = onTimeout,
        Metadata = new Dictionary<string, string> { ["ticket"] = "REL-1234" },
    };

    [Fact]
    public async Task AskAsync_2xx_OpensTheGate_AfterPostingTheRolloutContext()
    {
        await using var gate = await Receiver.StartAsync(Receiver.Always(202, "go"));
        var keeper = new HttpGateKeeper(_http, NotificationResilience.Gate(TimeProvider.System), new FakeTimeProvider(TestPlans.Now)); // the clock stamps the request only

        var outcome = await keeper.AskAsync(Gate(gate.Url("/gate")), TestPlans.Plan(), TestPlans.Progressing(), CancellationToken.None);

        Assert.Equal(new GateOutcome(GateVerdict.Open, "gate load-test is open (HTTP 202: go)"), outcome);
        Assert.Equal(GateDecision.Proceed, outcome.Decide(GateTimeoutPolicy.Fail));
        var request = Assert.Single(gate.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        var body = request.Json;
        Assert.Equal(("load-test", "confirmTrafficIncrease", "reviews", "bookinfo", "progressing"), ((string?)body["gate"], (string?)body["type"], (string?)body["name"], (string?)body["namespace"], (string?)body["phase"]));
        Assert.Equal("REL-1234", (string?)body["metadata"]!["ticket"]);
        Assert.Equal((25, 75, "25%"), ((int)body["rollout"]!["canaryWeight"]!, (int)body["rollout"]!["stableWeight"]!, (string?)body["rollout"]!["stageName"]));
        Assert.Equal(TestPlans.Now, (DateTimeOffset)body["time"]!);
    }

    [Theory]
    [InlineData(403)]
    [InlineData(409)]
    [InlineData(500)]
    public async Task AskAsync_Non2xx_ClosesTheGate_WithItsAnswerAsTheReason(int status)
    {
        await using var gate = await Receiver.StartAsync(Receiver.Always(status, "change freeze\nuntil Monday"));
        var keeper = new HttpGateKeeper(_http, NotificationResilience.Gate(TimeProvider.System), TimeProvider.System);

        var outcome = await keeper.AskAsync(Gate(gate.Url("/gate")), TestPlans.Plan(), TestPlans.Progressing(), CancellationToken.None);

        Assert.Equal(new GateOutcome(GateVerdict.Closed, $"gate load-test is closed (HTTP {status}: change freeze until Monday)"), outcome);
        Assert.Equal(GateDecision.Hold, outcome.Decide(GateTimeoutPolicy.Fail));
        Assert.Equal(1, gate.Count);
    }

    [Theory]
    [InlineData(GateTimeoutPolicy.Hold, GateDecision.Hold)]
    [InlineData(GateTimeoutPolicy.Fail, GateDecision.Fail)]
    public async Task AskAsync_NoAnswerWithinTheTimeout_TimesOut_AndThePolicyDecides(GateTimeoutPolicy policy, GateDecision expected)
    {
        var clock = new FakeTimeProvider(TestPlans.Now);
        var release = new TaskCompletionSource();
        await using var gate = await Receiver.StartAsync(Receiver.Hang(release));
        var keeper = new HttpGateKeeper(_http, NotificationResilience.Gate(clock), clock);
        var spec = Gate(gate.Url("/gate"), policy);

        var asking = keeper.AskAsync(spec, TestPlans.Plan(), TestPlans.Progressing(), CancellationToken.None);
        await Eventually.TrueAsync(() => gate.Count == 1, "the gate asked");
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.False(asking.IsCompleted, "timed out before the gate's timeout");
        clock.Advance(TimeSpan.FromSeconds(1));
        var outcome = await asking.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(new GateOutcome(GateVerdict.TimedOut, "gate load-test did not answer within 5s"), outcome);
        Assert.Equal(expected, outcome.Decide(spec.OnTimeout));
        release.SetResult();
    }

    [Fact]
    public async Task AskAsync_NothingListening_FailsAndHolds()
    {
        var keeper = new HttpGateKeeper(_http, NotificationResilience.Gate(TimeProvider.System), TimeProvider.System);

        var outcome = await keeper.AskAsync(Gate(Receiver.Dead("/gate"), GateTimeoutPolicy.Fail), TestPlans.Plan(), TestPlans.Progressing(), CancellationToken.None);

        Assert.Equal(new GateOutcome(GateVerdict.Failed, "gate load-test could not be asked: connection failed"), outcome);
        Assert.Equal(GateDecision.Hold, outcome.Decide(GateTimeoutPolicy.Fail));
    }

    public void Dispose() => _http.Dispose();
}
