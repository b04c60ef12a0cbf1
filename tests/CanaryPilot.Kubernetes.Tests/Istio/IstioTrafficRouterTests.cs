using System.Net;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using k8s.Autorest;

namespace CanaryPilot.Kubernetes.Tests.Istio;

/// <summary>The Istio router against the API emulator: what it changes, what it keeps, and how it copes.</summary>
public sealed class IstioTrafficRouterTests : IAsyncLifetime
{
    /// <summary>A VirtualService with much that CanaryPilot does not own, including fields from a newer Istio.</summary>
    private const string FieldRich = """
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "reviews", "namespace": "bookinfo", "labels": {"team": "reviews"}, "annotations": {"owner": "team-reviews"}},
         "spec": {
           "hosts": ["reviews", "reviews.bookinfo.svc.cluster.local"],
           "gateways": ["mesh"],
           "exportTo": ["."],
           "http": [
             {"name": "ratings-debug", "match": [{"headers": {"x-debug": {"exact": "1"}}}],
              "route": [{"destination": {"host": "ratings", "port": {"number": 9080}}}]},
             {"name": "reviews-primary",
              "match": [{"uri": {"prefix": "/reviews"}}],
              "route": [{"destination": {"host": "reviews", "subset": "v1", "port": {"number": 9080}},
                         "headers": {"response": {"add": {"x-served-by": "reviews"}}}}],
              "timeout": "10s",
              "retries": {"attempts": 3, "perTryTimeout": "2s", "retryOn": "5xx,reset"},
              "corsPolicy": {"allowOrigins": [{"exact": "https://bookinfo.example"}], "allowMethods": ["GET"]},
              "headers": {"request": {"set": {"x-env": "prod"}}},
              "mirror": {"host": "reviews-shadow"}, "mirrorPercentage": {"value": 5.0},
              "someFutureIstioField": {"enabled": true, "levels": [1, 2, 3]}}
           ],
           "tcp": [{"match": [{"port": 9090}], "route": [{"destination": {"host": "reviews-metrics"}}]}]
         }}
        """;

    private const string Rule = """
        {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "bookinfo"},
         "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"app": "reviews", "version": "v1"}}, {"name": "v2", "labels": {"app": "reviews", "version": "v2"}}]}}
        """;

    private RouterHarness _mesh = null!;
    private readonly RolloutPlan _plan = TestPlans.Reviews();

    public async Task InitializeAsync()
    {
        _mesh = await RouterHarness.StartAsync();
        await _mesh.CreateAsync("virtualservices", FieldRich);
        await _mesh.CreateAsync("destinationrules", Rule);
    }

    public async Task DisposeAsync() => await _mesh.DisposeAsync();

    private static JsonArray Destinations(JsonObject spec, int route = 1) => spec["http"]![route]!["route"]!.AsArray();

    [Fact]
    public async Task FieldRichVirtualService_WalksTo100AndBack_AndEndsAsItBegan()
    {
        var before = await _mesh.GetAsync("virtualservices", "reviews");

        foreach (var weight in new[] { 0, 5, 25, 50, 100, 50, 0 })
        {
            var observed = await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = weight }, CancellationToken.None);
            var split = Assert.Single(observed.Routes);
            Assert.Equal((100 - weight, weight), (split.StableWeight, split.CanaryWeight));
        }

        var walked = await _mesh.SpecAsync("virtualservices", "reviews");
        var destinations = Destinations(walked);
        Assert.Equal(["v1", "v2"], destinations.Select(d => d!["destination"]!["subset"]!.GetValue<string>()));
        Assert.Equal(9080, destinations[1]!["destination"]!["port"]!["number"]!.GetValue<int>());
        Assert.True(JsonNode.DeepEquals(destinations[0]!["headers"], destinations[1]!["headers"]));

        await _mesh.Router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);

        var after = await _mesh.GetAsync("virtualservices", "reviews");
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]), $"spec changed:\n{before["spec"]}\n{after["spec"]}");
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["annotations"], after["metadata"]!["annotations"]));
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
    }

    [Fact]
    public async Task Apply_ChangesOnlyTheWeightsOfTheDrivenRoute()
    {
        var before = await _mesh.SpecAsync("virtualservices", "reviews");

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 25 }, CancellationToken.None);

        var after = await _mesh.SpecAsync("virtualservices", "reviews");
        var expected = (JsonObject)before.DeepClone();
        var route = Destinations(expected);
        route[0]!["weight"] = 75;
        var canary = route[0]!.DeepClone();
        canary["destination"]!["subset"] = "v2";
        canary["weight"] = 25;
        route.Add(canary);
        Assert.True(JsonNode.DeepEquals(expected, after), $"expected:\n{expected}\nactual:\n{after}");
    }

    [Fact]
    public async Task Promotion_LeavesAllTrafficOnTheCanaryAndNothingOfCanaryPilotsOwn()
    {
        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 50, ABMatch = [new RequestMatch { Cookie = new CookieMatch { Name = "beta", Value = "1" } }] }, CancellationToken.None);

        var observed = await _mesh.Router.FinalizeAsync(_plan, promoted: true, CancellationToken.None);

        Assert.Equal((0, 100, false), (observed.Routes[0].StableWeight, observed.Routes[0].CanaryWeight, observed.Routes[0].HasABRoute));
        var live = await _mesh.GetAsync("virtualservices", "reviews");
        Assert.Equal(["ratings-debug", "reviews-primary"], live["spec"]!["http"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        Assert.Null(live["metadata"]!["annotations"]!["canarypilot.io/restore"]);
    }

    [Fact]
    public async Task ABStage_InsertsAnOwnedRouteAheadOfTheDrivenOne_AndRemovesItCleanly()
    {
        var before = await _mesh.SpecAsync("virtualservices", "reviews");
        var match = new RequestMatch { Headers = new Dictionary<string, StringMatch> { ["x-user-group"] = new() { Exact = "beta" } } };

        var observed = await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { ABMatch = [match] }, CancellationToken.None);

        Assert.True(observed.Routes[0].HasABRoute);
        var http = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]!.AsArray();
        Assert.Equal(["ratings-debug", "canarypilot-reviews-ab", "reviews-primary"], http.Select(r => r!["name"]!.GetValue<string>()));
        var owned = http[1]!;
        Assert.Equal("/reviews", owned["match"]![0]!["uri"]!["prefix"]!.GetValue<string>());
        Assert.Equal("beta", owned["match"]![0]!["headers"]!["x-user-group"]!["exact"]!.GetValue<string>());
        Assert.Equal("v2", owned["route"]![0]!["destination"]!["subset"]!.GetValue<string>());
        Assert.Equal("10s", owned["timeout"]!.GetValue<string>());
        Assert.Null(owned["mirror"]);

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);
        Assert.Equal(["ratings-debug", "reviews-primary"], (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));

        await _mesh.Router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(before, await _mesh.SpecAsync("virtualservices", "reviews")));
    }

    [Fact]
    public async Task MirrorStage_ReplacesTheMirrorAndRestoresTheUsersOwnAtTheEnd()
    {
        var observed = await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { MirrorPercentage = 20 }, CancellationToken.None);

        Assert.Equal(20, observed.Routes[0].MirrorPercentage);
        var route = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]![1]!;
        Assert.Equal(("reviews", "v2", 20.0), (route["mirror"]!["host"]!.GetValue<string>(), route["mirror"]!["subset"]!.GetValue<string>(), route["mirrorPercentage"]!["value"]!.GetValue<double>()));

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);

        route = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]![1]!;
        Assert.Equal(("reviews-shadow", 5.0), (route["mirror"]!["host"]!.GetValue<string>(), route["mirrorPercentage"]!["value"]!.GetValue<double>()));
    }

    [Fact]
    public async Task FaultRoute_IsAddedAheadAndRemovedCleanly()
    {
        var before = await _mesh.SpecAsync("virtualservices", "reviews");
        var fault = new FaultIntent
        {
            Match = [new RequestMatch { Headers = new Dictionary<string, StringMatch> { ["x-chaos"] = new() { Exact = "on" } } }],
            AbortPercentage = 50,
            AbortStatus = 503,
        };

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10, Fault = fault }, CancellationToken.None);

        var owned = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]![1]!;
        Assert.Equal("canarypilot-reviews-fault", owned["name"]!.GetValue<string>());
        Assert.Equal((50.0, 503), (owned["fault"]!["abort"]!["percentage"]!["value"]!.GetValue<double>(), owned["fault"]!["abort"]!["httpStatus"]!.GetValue<int>()));

        await _mesh.Router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(before, await _mesh.SpecAsync("virtualservices", "reviews")));
    }

    [Fact]
    public async Task ConcurrentEdits_CausingConflicts_StillConverge()
    {
        for (var i = 0; i < 3; i++)
        {
            _mesh.Cluster.Server.Faults.ConflictOnNextWrite("virtualservices");
        }

        var observed = await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 30 }, CancellationToken.None);

        Assert.Equal(30, observed.Routes[0].CanaryWeight);
        Assert.Equal(30, Destinations(await _mesh.SpecAsync("virtualservices", "reviews"))[1]!["weight"]!.GetValue<int>());
    }

    [Fact]
    public async Task ARealConcurrentWriter_IsNotOverwritten()
    {
        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);
        var racing = _mesh.Objects.UpdateAsync(
            new ResourceRef("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews"),
            vs => vs["metadata"]!["labels"]!["touched-by"] = "gitops",
            status: false,
            CancellationToken.None);

        await Task.WhenAll(racing, _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 20 }, CancellationToken.None));

        var live = await _mesh.GetAsync("virtualservices", "reviews");
        Assert.Equal("gitops", live["metadata"]!["labels"]!["touched-by"]!.GetValue<string>());
        Assert.Equal(20, Destinations((JsonObject)live["spec"]!)[1]!["weight"]!.GetValue<int>());
    }

    [Fact]
    public async Task Injected5xx_AreRetried()
    {
        _mesh.Cluster.Server.Faults.FailNext(2, 503, verb: "update", plural: "virtualservices");
        _mesh.Cluster.Server.Faults.FailNext(1, 500, verb: "get", plural: "virtualservices");
        _mesh.Cluster.Server.Faults.FailNext(1, 429, verb: "list", plural: "destinationrules");

        var observed = await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 40 }, CancellationToken.None);

        Assert.Equal(40, observed.Routes[0].CanaryWeight);
    }

    [Fact]
    public async Task Other4xx_AreNotRetried()
    {
        _mesh.Cluster.Server.Faults.FailNext(1, 403, verb: "update", plural: "virtualservices");

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 40 }, CancellationToken.None));

        Assert.Equal(HttpStatusCode.Forbidden, failure.Response.StatusCode);
        Assert.Single(Destinations(await _mesh.SpecAsync("virtualservices", "reviews")));
    }

    [Fact]
    public async Task Drift_WhenSomeoneElseChangesTheWeights_IsReported()
    {
        var intent = new TrafficIntent { CanaryWeight = 10 };
        await _mesh.Router.ApplyAsync(_plan, intent, CancellationToken.None);
        await _mesh.Objects.UpdateAsync(
            new ResourceRef("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews"),
            vs =>
            {
                var route = Destinations((JsonObject)vs["spec"]!);
                route[0]!["weight"] = 70;
                route[1]!["weight"] = 30;
            },
            status: false,
            CancellationToken.None);

        var drift = (await _mesh.Router.ObserveAsync(_plan, CancellationToken.None)).DifferencesFrom(intent);

        Assert.Equal(["VirtualService bookinfo/reviews route reviews-primary: stable 70%, canary 30% where CanaryPilot set stable 90%, canary 10%"], drift);
    }

    [Fact]
    public async Task NoDrift_WhenNothingChanged()
    {
        var intent = new TrafficIntent { CanaryWeight = 10, MirrorPercentage = 50 };
        await _mesh.Router.ApplyAsync(_plan, intent, CancellationToken.None);

        Assert.Empty((await _mesh.Router.ObserveAsync(_plan, CancellationToken.None)).DifferencesFrom(intent));
    }

    [Fact]
    public async Task ThirdDestination_IsRefusedAndNothingIsWritten()
    {
        await _mesh.Objects.UpdateAsync(
            new ResourceRef("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews"),
            vs =>
            {
                var route = Destinations((JsonObject)vs["spec"]!);
                route[0]!["weight"] = 80;
                route.Add(JsonNode.Parse("""{"destination": {"host": "reviews", "subset": "v3"}, "weight": 20}"""));
            },
            status: false,
            CancellationToken.None);
        var before = await _mesh.GetAsync("virtualservices", "reviews");

        var refused = await Assert.ThrowsAsync<TrafficRoutingException>(() => _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None));

        Assert.Equal("VirtualService bookinfo/reviews route reviews-primary also sends traffic to reviews subset v3; CanaryPilot splits a route between stable and canary only and will not guess", refused.Message);
        Assert.Equal(before["metadata"]!["resourceVersion"]!.GetValue<string>(), (await _mesh.GetAsync("virtualservices", "reviews"))["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task RetiredDestinationAtWeightZero_IsLeftAsItIs_WhileStableAndCanarySplit()
    {
        await _mesh.Objects.UpdateAsync(
            new ResourceRef("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews"),
            vs =>
            {
                var route = Destinations((JsonObject)vs["spec"]!);
                route[0]!["weight"] = 100;
                route.Add(JsonNode.Parse("""{"destination": {"host": "reviews", "subset": "v0"}, "weight": 0, "headers": {"request": {"set": {"x-retired": "yes"}}}}"""));
            },
            status: false,
            CancellationToken.None);

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 10 }, CancellationToken.None);

        var route = Destinations((JsonObject)(await _mesh.GetAsync("virtualservices", "reviews"))["spec"]!);
        Assert.Equal(
            ["v1:90", "v2:10", "v0:0"],
            route.Select(d => $"{d!["destination"]!["subset"]}:{d["weight"]}"));
        Assert.Equal("yes", (string?)route.Single(d => (string?)d!["destination"]!["subset"] == "v0")!["headers"]!["request"]!["set"]!["x-retired"]);
    }
}
