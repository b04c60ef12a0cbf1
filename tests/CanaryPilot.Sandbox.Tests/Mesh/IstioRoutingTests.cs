using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.Mesh;

namespace CanaryPilot.Sandbox.Tests.Mesh;

/// <summary>The simulated sidecar matches a request's source as Istio does, and hands on the fault of the route it takes.</summary>
public sealed class IstioRoutingTests
{
    private static readonly JsonObject Ratings = JsonNode.Parse("""
        {"spec": {"hosts": ["ratings"], "http": [
          {"name": "canarypilot-reviews-fault-default",
           "match": [{"sourceLabels": {"app": "reviews", "version": "v2"}, "sourceNamespace": "bookinfo"}],
           "route": [{"destination": {"host": "ratings"}}],
           "fault": {"delay": {"percentage": {"value": 50}, "fixedDelay": "2s"}}},
          {"name": "default", "route": [{"destination": {"host": "ratings"}}]}]}}
        """)!.AsObject();

    private static IstioRouting.Request From(string version, string ns = "bookinfo") =>
        new("/ratings/0", new Dictionary<string, string>()) { SourceLabels = new Dictionary<string, string> { ["app"] = "reviews", ["version"] = version }, SourceNamespace = ns };

    [Theory]
    [InlineData("v2", "bookinfo", true)]
    [InlineData("v1", "bookinfo", false)] // other labels
    [InlineData("v2", "staging", false)] // the same labels in another namespace
    public void TheFaultRoute_MatchesTheCanaryPodsAlone(string version, string ns, bool faulted)
    {
        var decision = IstioRouting.Route(Ratings, From(version, ns), new Random(1));

        Assert.Equal("ratings", decision.Destination?.Host);
        Assert.Equal(faulted, decision.Fault is not null);
    }

    [Fact]
    public void ARequestFromOutsideTheMesh_HasNoSourceToMatch()
    {
        var decision = IstioRouting.Route(Ratings, new IstioRouting.Request("/ratings/0", new Dictionary<string, string>()), new Random(1));

        Assert.Null(decision.Fault);
    }

    [Theory]
    [InlineData("2s", 2000)]
    [InlineData("0.5s", 500)]
    [InlineData("250ms", 250)]
    public void AFault_DelaysItsShareOfTheRequests_AndAbortsItsShare(string fixedDelay, double ms)
    {
        var fault = JsonNode.Parse($$$"""{"delay": {"percentage": {"value": 50}, "fixedDelay": "{{{fixedDelay}}}"}, "abort": {"percentage": {"value": 10}, "httpStatus": 503}}""")!.AsObject();
        var random = new Random(3);

        var effects = Enumerable.Range(0, 10_000).Select(_ => FaultEffect.Sample(fault, random)).ToList();

        Assert.All(effects, e => Assert.Contains(e.DelayMs, new[] { 0, ms }));
        Assert.InRange(effects.Count(e => e.DelayMs > 0), 4_700, 5_300);
        Assert.InRange(effects.Count(e => e.AbortStatus == 503), 850, 1_150);
        Assert.DoesNotContain(effects, e => e.AbortStatus is not (null or 503));
    }
}
