using System.Text.Json.Nodes;
using CanaryPilot.Testing;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.GatewayApi;

namespace CanaryPilot.Kubernetes.Tests.GatewayApi;

/// <summary>The HTTPRoute router against the API emulator: what it changes, what it keeps, and what its parents say.</summary>
public sealed class HttpRouteTrafficRouterTests : IAsyncLifetime
{
    /// <summary>An HTTPRoute as a team writes it, with much CanaryPilot does not own, including a field from a newer Gateway API.</summary>
    private const string FieldRich = """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "reviews", "namespace": "bookinfo", "labels": {"team": "reviews"}, "annotations": {"owner": "team-reviews"}},
         "spec": {
           "parentRefs": [{"group": "", "kind": "Service", "name": "reviews", "port": 9080}],
           "rules": [
             {"name": "debug", "matches": [{"headers": [{"type": "Exact", "name": "x-debug", "value": "1"}]}],
              "backendRefs": [{"name": "reviews-debug", "port": 9080}]},
             {"name": "main",
              "matches": [{"path": {"type": "PathPrefix", "value": "/reviews"}}],
              "filters": [
                {"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-env", "value": "prod"}]}},
                {"type": "RequestMirror", "requestMirror": {"backendRef": {"name": "reviews-shadow", "port": 9080}, "percent": 5}}],
              "backendRefs": [{"name": "reviews-v1", "port": 9080,
                               "filters": [{"type": "ResponseHeaderModifier", "responseHeaderModifier": {"add": [{"name": "x-served-by", "value": "reviews"}]}}]}],
              "timeouts": {"request": "10s", "backendRequest": "2s"},
              "retry": {"attempts": 3, "codes": [503]},
              "someFutureGatewayField": {"enabled": true, "levels": [1, 2, 3]}}
           ]
         }}
        """;

    private const string HttpRoutePlan = """
            name: reviews
            httpRoutes: [{name: reviews, rule: main}]
            stable: {host: reviews-v1, workload: reviews-v1, version: v1}
            canary: {host: reviews-v2, workload: reviews-v2, version: v2}
        """;

    private RouterHarness _mesh = null!;
    private HttpRouteTrafficRouter _router = null!;
    private readonly RolloutPlan _plan = TestPlans.Reviews(HttpRoutePlan);

    public async Task InitializeAsync()
    {
        _mesh = await RouterHarness.StartAsync();
        _router = new HttpRouteTrafficRouter(_mesh.Objects, RouterHarness.Options);
        await _mesh.CreateAsync("httproutes", FieldRich, HttpRouteTrafficRouter.Group);
    }

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private Task<JsonObject> RouteAsync(string name = "reviews") => _mesh.GetAsync("httproutes", name, HttpRouteTrafficRouter.Group);

    private static JsonArray Backends(JsonObject route, int rule = 1) => route["spec"]!["rules"]![rule]!["backendRefs"]!.AsArray();

    [Fact]
    public async Task FieldRichRoute_WalksTo100AndBack_DiffersOnlyInWeights_AndEndsAsItBegan()
    {
        var before = await RouteAsync();

        foreach (var weight in new[] { 0, 5, 25, 50, 100, 50, 0 })
        {
            var observed = await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = weight }, CancellationToken.None);
            var split = Assert.Single(observed.Routes);
            Assert.Equal((100 - weight, weight), (split.StableWeight, split.CanaryWeight));
            Assert.Equal("HTTPRoute bookinfo/reviews rule main", split.ToString());
        }

        var walked = await RouteAsync();
        var backends = Backends(walked);
        Assert.Equal(["reviews-v1", "reviews-v2"], backends.Select(b => b!["name"]!.GetValue<string>()));
        Assert.Equal(9080, backends[1]!["port"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(backends[0]!["filters"], backends[1]!["filters"]), "the added canary backendRef carries the stable's filters");
        var stableOnly = (JsonObject)walked.DeepClone();
        stableOnly["spec"]!["rules"]![1]!["backendRefs"]!.AsArray().RemoveAt(1);
        Assert.True(JsonNode.DeepEquals(RouteShapes.WithoutWeights(before), RouteShapes.WithoutWeights(stableOnly)), $"more than the weights changed:\n{before["spec"]}\n{walked["spec"]}");

        await _router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);

        var after = await RouteAsync();
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]), $"spec changed:\n{before["spec"]}\n{after["spec"]}");
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["annotations"], after["metadata"]!["annotations"]));
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
    }

    [Fact]
    public async Task Promotion_SendsTheRuleToTheCanary_AndLeavesTheRestAsItWas()
    {
        var before = await RouteAsync();
        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 50 }, CancellationToken.None);

        var observed = await _router.FinalizeAsync(_plan, promoted: true, CancellationToken.None);

        Assert.Equal((0, 100), (observed.Routes[0].StableWeight, observed.Routes[0].CanaryWeight));
        var after = await RouteAsync();
        Assert.Equal([0, 100], Backends(after).Select(b => b!["weight"]!.GetValue<int>()));
        Assert.True(JsonNode.DeepEquals(before["spec"]!["rules"]![0], after["spec"]!["rules"]![0]));
        Assert.Null(after["metadata"]!["annotations"]!["canarypilot.io/restore"]);
    }

    [Fact]
    public async Task ABStage_AddsARuleWithTheRulesMatchesAndTheHeader_ThatTheEndRemoves()
    {
        var before = await RouteAsync();
        var match = new RequestMatch { Headers = new Dictionary<string, StringMatch> { ["x-user-group"] = new() { Exact = "beta" } } };

        var observed = await _router.ApplyAsync(_plan, new TrafficIntent { ABMatch = [match] }, CancellationToken.None);

        Assert.True(observed.Routes[0].HasABRoute);
        var rules = (await RouteAsync())["spec"]!["rules"]!.AsArray();
        var ab = rules[1]!.AsObject();
        Assert.Equal("canarypilot-reviews-ab-main", ab["name"]!.GetValue<string>());
        var abMatch = Assert.Single(ab["matches"]!.AsArray())!;
        Assert.Equal("/reviews", abMatch["path"]!["value"]!.GetValue<string>());
        Assert.Equal("x-user-group", abMatch["headers"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("reviews-v2", Assert.Single(ab["backendRefs"]!.AsArray())!["name"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(rules[2]!["filters"], ab["filters"]), "the A/B rule keeps the driven rule's filters");
        Assert.True(JsonNode.DeepEquals(rules[2]!["timeouts"], ab["timeouts"]));

        await _router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(before["spec"], (await RouteAsync())["spec"]));
    }

    [Fact]
    public async Task MirrorStage_AddsARequestMirrorFilterToTheCanary_AndKeepsTheUsersMirror()
    {
        var before = await RouteAsync();

        var observed = await _router.ApplyAsync(_plan, new TrafficIntent { MirrorPercentage = 20 }, CancellationToken.None);

        Assert.Equal(20, observed.Routes[0].MirrorPercentage);
        var filters = (await RouteAsync())["spec"]!["rules"]![1]!["filters"]!.AsArray();
        Assert.Equal(3, filters.Count);
        Assert.Equal("reviews-shadow", filters[1]!["requestMirror"]!["backendRef"]!["name"]!.GetValue<string>());
        Assert.Equal("reviews-v2", filters[2]!["requestMirror"]!["backendRef"]!["name"]!.GetValue<string>());
        Assert.Equal(20, filters[2]!["requestMirror"]!["percent"]!.GetValue<int>());

        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);
        Assert.Equal(2, (await RouteAsync())["spec"]!["rules"]![1]!["filters"]!.AsArray().Count);
        await _router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(before["spec"], (await RouteAsync())["spec"]));
    }

    [Fact]
    public async Task AFractionalMirror_ReadsBackAsWritten_SoItIsNoDrift()
    {
        var observed = await _router.ApplyAsync(_plan, new TrafficIntent { MirrorPercentage = 12.345 }, CancellationToken.None);

        Assert.Equal(12.345, observed.Routes[0].MirrorPercentage);
        Assert.Empty((await _router.ObserveAsync(_plan, CancellationToken.None)).DifferencesFrom(new TrafficIntent { MirrorPercentage = 12.345 }));
    }

    [Fact]
    public async Task AnotherPlansFinalize_LeavesTheRouteItDoesNotDrive()
    {
        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 30 }, CancellationToken.None);
        var driven = await RouteAsync();

        await _router.FinalizeAsync(TestPlans.Reviews(HttpRoutePlan, name: "reviews-other"), promoted: false, CancellationToken.None);

        Assert.True(JsonNode.DeepEquals(driven, await RouteAsync()));
    }

    [Fact]
    public async Task Drift_IsSeenInTheObservation()
    {
        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 25 }, CancellationToken.None);
        await _mesh.Objects.UpdateAsync(
            new ResourceRef(HttpRouteTrafficRouter.Group, "v1", "bookinfo", "httproutes", "reviews"),
            route => route["spec"]!["rules"]![1]!["backendRefs"]![0]!["weight"] = 100,
            status: false,
            CancellationToken.None);

        var observed = await _router.ObserveAsync(_plan, CancellationToken.None);

        Assert.Equal((80, 20), (observed.Routes[0].StableWeight, observed.Routes[0].CanaryWeight));
        Assert.NotEmpty(observed.DifferencesFrom(new TrafficIntent { CanaryWeight = 25 }));
    }

    [Fact]
    public async Task AParentThatRefusesTheRoute_OrHasNotReportedOnIt_IsNotInForce()
    {
        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);
        var written = await RouteAsync();
        var generation = written["metadata"]!["generation"]!.GetValue<long>();

        var pending = Assert.Single((await _router.ObserveAsync(_plan, CancellationToken.None)).NotInForce);
        Assert.False(pending.Refused);
        Assert.Contains($"generation {generation}", pending.Reason, StringComparison.Ordinal);

        await WriteParentStatusAsync(generation, resolved: false);
        var refused = Assert.Single((await _router.ObserveAsync(_plan, CancellationToken.None)).NotInForce);
        Assert.True(refused.Refused);
        Assert.Contains("BackendNotFound", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("Service bookinfo/reviews port 9080", refused.Reason, StringComparison.Ordinal);

        await WriteParentStatusAsync(generation, resolved: true);
        Assert.Empty((await _router.ObserveAsync(_plan, CancellationToken.None)).NotInForce);

        await _router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 20 }, CancellationToken.None);
        Assert.Contains($"its last report is for generation {generation}", Assert.Single((await _router.ObserveAsync(_plan, CancellationToken.None)).NotInForce).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeveralRoutes_MoveTogether()
    {
        await _mesh.CreateAsync("httproutes", """
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "reviews-edge", "namespace": "bookinfo"},
             "spec": {"parentRefs": [{"name": "bookinfo-gateway"}], "hostnames": ["reviews.example.com"],
                      "rules": [{"backendRefs": [{"name": "reviews-v1", "port": 9080}]}]}}
            """, HttpRouteTrafficRouter.Group);
        var plan = TestPlans.Reviews("""
                name: reviews
                httpRoutes: [{name: reviews, rule: main}, {name: reviews-edge}]
                stable: {host: reviews-v1, workload: reviews-v1, version: v1}
                canary: {host: reviews-v2, workload: reviews-v2, version: v2}
            """);

        var observed = await _router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 30 }, CancellationToken.None);

        Assert.Equal(["HTTPRoute bookinfo/reviews rule main", "HTTPRoute bookinfo/reviews-edge rule rules[0]"], observed.Routes.Select(r => r.ToString()));
        Assert.All(observed.Routes, r => Assert.Equal((70, 30), (r.StableWeight, r.CanaryWeight)));
    }

    [Fact]
    public async Task TwoRulesOfOneRoute_MoveTogether_EachWithItsOwnABRule_AndEndAsTheyBegan()
    {
        await _mesh.CreateAsync("httproutes", """
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "split", "namespace": "bookinfo"},
             "spec": {"parentRefs": [{"kind": "Service", "group": "", "name": "reviews"}],
                      "rules": [{"name": "api", "matches": [{"path": {"type": "PathPrefix", "value": "/api"}}], "backendRefs": [{"name": "reviews-v1", "port": 9080}]},
                                {"name": "web", "backendRefs": [{"name": "reviews-v1", "port": 9080, "weight": 100}, {"name": "reviews-v2", "port": 9080, "weight": 0}]}]}}
            """, HttpRouteTrafficRouter.Group);
        var before = await RouteAsync("split");
        var plan = TestPlans.Reviews("""
                name: reviews
                httpRoutes: [{name: split, rule: api}, {name: split, rule: web}]
                stable: {host: reviews-v1, workload: reviews-v1, version: v1}
                canary: {host: reviews-v2, workload: reviews-v2, version: v2}
            """);
        var beta = new RequestMatch { Headers = new Dictionary<string, StringMatch> { ["x-user-group"] = new() { Exact = "beta" } } };

        await _router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 40 }, CancellationToken.None);
        var observed = await _router.ApplyAsync(plan, new TrafficIntent { ABMatch = [beta] }, CancellationToken.None);

        Assert.All(observed.Routes, r => Assert.True(r.HasABRoute));
        Assert.Equal(
            ["canarypilot-reviews-ab-api", "api", "canarypilot-reviews-ab-web", "web"],
            (await RouteAsync("split"))["spec"]!["rules"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        await _router.FinalizeAsync(plan, promoted: false, CancellationToken.None);

        var after = await RouteAsync("split");
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]), $"spec changed:\n{before["spec"]}\n{after["spec"]}");
        Assert.Null(after["metadata"]!["annotations"]?["canarypilot.io/restore"]);
    }

    [Fact]
    public async Task TwoRulesToStable_WithoutARuleName_AreRefusedUnchanged()
    {
        await _mesh.CreateAsync("httproutes", """
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "twice", "namespace": "bookinfo"},
             "spec": {"parentRefs": [{"kind": "Service", "group": "", "name": "reviews"}],
                      "rules": [{"matches": [{"path": {"type": "Exact", "value": "/a"}}], "backendRefs": [{"name": "reviews-v1", "port": 9080}]},
                                {"backendRefs": [{"name": "reviews-v1", "port": 9080}]}]}}
            """, HttpRouteTrafficRouter.Group);
        var before = await RouteAsync("twice");
        var plan = TestPlans.Reviews("""
                name: reviews
                httpRoutes: [{name: twice}]
                stable: {host: reviews-v1, workload: reviews-v1, version: v1}
                canary: {host: reviews-v2, workload: reviews-v2, version: v2}
            """);

        var refused = await Assert.ThrowsAsync<TrafficRoutingException>(() => _router.ApplyAsync(plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None));

        Assert.Contains("rules[0], rules[1]", refused.Message, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(before, await RouteAsync("twice")));
    }

    /// <summary>What Istio's controller would write for the route's one parent.</summary>
    private async Task WriteParentStatusAsync(long generation, bool resolved) =>
        await _mesh.Objects.UpdateAsync(
            new ResourceRef(HttpRouteTrafficRouter.Group, "v1", "bookinfo", "httproutes", "reviews"),
            route => route["status"] = JsonNode.Parse($$"""
                {"parents": [{"parentRef": {"group": "", "kind": "Service", "name": "reviews", "port": 9080}, "controllerName": "istio.io/mesh-controller",
                  "conditions": [
                    {"type": "Accepted", "status": "True", "reason": "Accepted", "message": "Route was valid", "observedGeneration": {{generation}}, "lastTransitionTime": "2026-12-04T00:00:00Z"},
                    {"type": "ResolvedRefs", "status": "{{(resolved ? "True" : "False")}}", "reason": "{{(resolved ? "ResolvedRefs" : "BackendNotFound")}}",
                     "message": "{{(resolved ? "All references resolved" : "backend(reviews-v2.bookinfo.svc.cluster.local) not found")}}", "observedGeneration": {{generation}}, "lastTransitionTime": "2026-12-04T00:00:00Z"}]}]}
                """),
            status: true,
            CancellationToken.None);
}
