using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Tests.Istio;

/// <summary>Host-level and subset-level splits, several VirtualServices per plan, and DestinationRule subsets.</summary>
public sealed class RouterPlanShapesTests : IAsyncLifetime
{
    private RouterHarness _mesh = null!;

    public async Task InitializeAsync() => _mesh = await RouterHarness.StartAsync();

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private static string VirtualService(string name, string host, string destination, string? subset = null, string gateways = "")
    {
        var target = new JsonObject { ["host"] = destination };
        if (subset is not null)
        {
            target["subset"] = subset;
        }

        var spec = new JsonObject
        {
            ["hosts"] = new JsonArray(host),
            ["http"] = new JsonArray(new JsonObject { ["route"] = new JsonArray(new JsonObject { ["destination"] = target }) }),
        };
        if (gateways.Length > 0)
        {
            spec["gateways"] = new JsonArray(gateways);
        }

        return new JsonObject
        {
            ["apiVersion"] = "networking.istio.io/v1",
            ["kind"] = "VirtualService",
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "bookinfo" },
            ["spec"] = spec,
        }.ToJsonString();
    }

    private static IEnumerable<(string Host, string? Subset, int Weight)> Split(JsonObject spec) =>
        spec["http"]![0]!["route"]!.AsArray().Select(d => (d!["destination"]!["host"]!.GetValue<string>(), d["destination"]!["subset"]?.GetValue<string>(), d["weight"]!.GetValue<int>()));

    [Fact]
    public async Task HostLevelPlan_SplitsBetweenTwoServices()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews-stable"));
        var plan = TestPlans.Reviews("""
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews-stable, workload: reviews-v1}
                canary: {host: reviews-canary, workload: reviews-v2}
            """);

        await _mesh.Router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 25 }, CancellationToken.None);

        Assert.Equal([("reviews-stable", null, 75), ("reviews-canary", null, 25)], Split(await _mesh.SpecAsync("virtualservices", "reviews")));
    }

    [Fact]
    public async Task SeveralVirtualServices_MoveTogether()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews", "v1"));
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews-edge", "reviews.bookinfo.example", "reviews.bookinfo.svc.cluster.local", "v1", "bookinfo-gateway"));
        await _mesh.CreateAsync("destinationrules", """
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}, {"name": "v2", "labels": {"version": "v2"}}]}}
            """);
        var plan = TestPlans.Reviews("""
                name: reviews
                virtualServices: [{name: reviews}, {name: reviews-edge}]
                stable: {host: reviews, subset: v1, workload: reviews-v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2}
            """);

        var observed = await _mesh.Router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 50 }, CancellationToken.None);

        Assert.Equal(["bookinfo/reviews", "bookinfo/reviews-edge"], observed.Routes.Select(r => r.Resource));
        Assert.All(observed.Routes, r => Assert.Equal((50, 50), (r.StableWeight, r.CanaryWeight)));
        Assert.Equal([("reviews.bookinfo.svc.cluster.local", "v1", 50), ("reviews", "v2", 50)], Split(await _mesh.SpecAsync("virtualservices", "reviews-edge")));
    }

    [Fact]
    public async Task MissingCanarySubset_IsAddedFromTheStableOne_AndRemovedOnRollback()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews", "v1"));
        await _mesh.CreateAsync("destinationrules", """
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {"host": "reviews", "trafficPolicy": {"loadBalancer": {"simple": "ROUND_ROBIN"}},
                      "subsets": [{"name": "v1", "labels": {"app": "reviews", "version": "v1"}, "trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 10}}}}]}}
            """);
        var before = await _mesh.SpecAsync("destinationrules", "reviews");
        var plan = TestPlans.Reviews();

        await _mesh.Router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);

        var subsets = (await _mesh.SpecAsync("destinationrules", "reviews"))["subsets"]!.AsArray();
        Assert.Equal(["v1", "v2"], subsets.Select(s => s!["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"app": "reviews", "version": "v2"}"""), subsets[1]!["labels"]));
        Assert.Equal(10, subsets[1]!["trafficPolicy"]!["connectionPool"]!["tcp"]!["maxConnections"]!.GetValue<int>());

        await _mesh.Router.FinalizeAsync(plan, promoted: false, CancellationToken.None);

        var after = await _mesh.GetAsync("destinationrules", "reviews");
        Assert.True(JsonNode.DeepEquals(before, after["spec"]));
        Assert.Null(after["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task AddedCanarySubset_StaysAfterAPromotion()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews", "v1"));
        await _mesh.CreateAsync("destinationrules", """
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}]}}
            """);
        var plan = TestPlans.Reviews();
        await _mesh.Router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);

        await _mesh.Router.FinalizeAsync(plan, promoted: true, CancellationToken.None);

        Assert.Equal(["v1", "v2"], (await _mesh.SpecAsync("destinationrules", "reviews"))["subsets"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal([("reviews", "v1", 0), ("reviews", "v2", 100)], Split(await _mesh.SpecAsync("virtualservices", "reviews")));
    }

    [Fact]
    public async Task MissingSubsetWithoutAVersionLabel_IsRefused()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews", "v1"));
        var plan = TestPlans.Reviews("""
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews, subset: v1, workload: reviews-v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2}
            """);

        var refused = await Assert.ThrowsAsync<TrafficRoutingException>(() => _mesh.Router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None));

        Assert.Equal("no DestinationRule in namespace bookinfo defines subset \"v2\" for host reviews, and CanaryPilot cannot add it without the stable subset and the canary's version label", refused.Message);
    }

    [Fact]
    public async Task AVirtualServiceDrivenByAnotherPlan_IsRefused()
    {
        await _mesh.CreateAsync("virtualservices", VirtualService("reviews", "reviews", "reviews-stable"));
        const string service = """
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews-stable, workload: reviews-v1}
                canary: {host: reviews-canary, workload: reviews-v2}
            """;
        await _mesh.Router.ApplyAsync(TestPlans.Reviews(service), new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<TrafficRoutingException>(() =>
            _mesh.Router.ApplyAsync(TestPlans.Reviews(service, name: "reviews-again"), new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None));

        Assert.Equal("VirtualService reviews is being driven by rollout plan bookinfo/reviews; one resource is driven by one plan at a time", refused.Message);
    }
}
