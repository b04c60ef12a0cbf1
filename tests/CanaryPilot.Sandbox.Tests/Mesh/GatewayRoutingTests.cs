using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.Mesh;

namespace CanaryPilot.Sandbox.Tests.Mesh;

/// <summary>The simulated waypoint routes as the Gateway API says, and answers a route with the verdict Istio's controller writes.</summary>
public sealed class GatewayRoutingTests
{
    private static readonly IstioRouting.Request Everyone = new("/reviews/0", new Dictionary<string, string>());
    private static readonly IstioRouting.Request Beta = new("/reviews/0", new Dictionary<string, string> { ["x-user-group"] = "beta" });

    private static JsonObject Route(string rules) => JsonNode.Parse($$$"""
        {"metadata": {"name": "reviews", "namespace": "bookinfo", "generation": 4},
         "spec": {"parentRefs": [{"group": "", "kind": "Service", "name": "reviews", "port": 9080}], "rules": {{{rules}}}}}
        """)!.AsObject();

    private static Dictionary<string, int> Counts(JsonObject route, IstioRouting.Request request, int requests = 10_000)
    {
        var random = new Random(7);
        return Enumerable.Range(0, requests).Select(_ => GatewayRouting.Route(route, request, random).Destination?.Host ?? "none")
            .GroupBy(h => h).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public void Weights_SplitTheRulesRequests_InProportion()
    {
        var counts = Counts(Route("""[{"backendRefs": [{"name": "reviews-v1", "weight": 3}, {"name": "reviews-v2", "weight": 1}]}]"""), Everyone);

        Assert.InRange(counts["reviews-v2"], 2_300, 2_700);
        Assert.Equal(10_000, counts["reviews-v1"] + counts["reviews-v2"]);
    }

    [Fact]
    public void ARuleWithMoreHeaderMatches_RanksFirst_WhereverItStands()
    {
        var route = Route("""
            [{"matches": [{"path": {"type": "PathPrefix", "value": "/reviews"}}], "backendRefs": [{"name": "reviews-v1"}]},
             {"matches": [{"path": {"type": "PathPrefix", "value": "/reviews"}, "headers": [{"type": "Exact", "name": "x-user-group", "value": "beta"}]}], "backendRefs": [{"name": "reviews-v2"}]}]
            """);

        Assert.Equal(10_000, Counts(route, Beta)["reviews-v2"]);
        Assert.Equal(10_000, Counts(route, Everyone)["reviews-v1"]);
    }

    [Fact]
    public void EveryBackendAtWeightZero_ReachesNone()
    {
        Assert.Equal(100, Counts(Route("""[{"backendRefs": [{"name": "reviews-v1", "weight": 0}]}]"""), Everyone, 100)["none"]);
    }

    [Fact]
    public void AMirrorFilter_CopiesItsPercentOfRequests()
    {
        var route = Route("""[{"filters": [{"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "reviews-v2"}, "percent": 20}}], "backendRefs": [{"name": "reviews-v1"}]}]""");
        var random = new Random(7);

        var mirrored = Enumerable.Range(0, 10_000).Count(_ => GatewayRouting.Route(route, Everyone, random).Mirror?.Host == "reviews-v2");

        Assert.InRange(mirrored, 1_800, 2_200);
    }

    [Fact]
    public void AMissingBackend_IsRefused_AsBackendNotFound_ForTheRoutesGeneration()
    {
        var route = Route("""[{"backendRefs": [{"name": "reviews-v1"}, {"name": "reviews-v3", "weight": 0}]}]""");
        var now = new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero);

        var status = RouteParentStatus.For(route, (kind, ns, name) => kind == "Service" && name is "reviews" or "reviews-v1", now);

        var parent = status["parents"]![0]!;
        Assert.Equal(RouteParentStatus.MeshController, parent["controllerName"]!.GetValue<string>());
        var conditions = parent["conditions"]!.AsArray().ToDictionary(c => c!["type"]!.GetValue<string>(), c => c!);
        Assert.Equal(("True", 4L), (conditions["Accepted"]["status"]!.GetValue<string>(), conditions["Accepted"]["observedGeneration"]!.GetValue<long>()));
        Assert.Equal(("False", "BackendNotFound"), (conditions["ResolvedRefs"]["status"]!.GetValue<string>(), conditions["ResolvedRefs"]["reason"]!.GetValue<string>()));
        Assert.Contains("reviews-v3.bookinfo.svc.cluster.local", conditions["ResolvedRefs"]["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingParent_IsNotAccepted()
    {
        var route = Route("""[{"backendRefs": [{"name": "reviews-v1"}]}]""");

        var status = RouteParentStatus.For(route, (kind, ns, name) => kind == "Service" && name == "reviews-v1", DateTimeOffset.UnixEpoch);

        var accepted = status["parents"]![0]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Accepted")!;
        Assert.Equal(("False", "NoMatchingParent"), (accepted["status"]!.GetValue<string>(), accepted["reason"]!.GetValue<string>()));
    }
}
