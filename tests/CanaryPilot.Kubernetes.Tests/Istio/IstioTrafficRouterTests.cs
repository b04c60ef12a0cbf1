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

    private static readonly StickySession Cookie = new("canarypilot-reviews", "0f3a9c1d2e4b5a67", TimeSpan.FromHours(1));

    [Fact]
    public async Task StickySessions_SetTheCookieOnTheCanary_RouteItsReturningUsersThere_AndLeaveNoTrace()
    {
        var before = await _mesh.GetAsync("virtualservices", "reviews");

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 20, Sticky = Cookie }, CancellationToken.None);

        var http = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]!.AsArray();
        Assert.Equal(["ratings-debug", "canarypilot-reviews-sticky", "reviews-primary"], http.Select(r => r!["name"]!.GetValue<string>()));
        var sticky = http[1]!;
        Assert.Equal(
            """[{"uri":{"prefix":"/reviews"},"headers":{"cookie":{"regex":"^(.*?;\\s*)?(canarypilot-reviews=0f3a9c1d2e4b5a67)(;.*)?$"}}}]""",
            sticky["match"]!.ToJsonString());
        var setCookie = """{"response":{"add":{"x-served-by":"reviews","set-cookie":"canarypilot-reviews=0f3a9c1d2e4b5a67; Max-Age=3600; Path=/"}}}""";
        Assert.Equal(("v2", setCookie), (sticky["route"]![0]!["destination"]!["subset"]!.GetValue<string>(), sticky["route"]![0]!["headers"]!.ToJsonString()));
        var destinations = http[2]!["route"]!.AsArray();
        Assert.Equal(setCookie, destinations[1]!["headers"]!.ToJsonString());
        Assert.Equal("""{"response":{"add":{"x-served-by":"reviews"}}}""", destinations[0]!["headers"]!.ToJsonString());

        // A stage without sticky sessions (a mirror stage, say) takes the cookie and its route out.
        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 20 }, CancellationToken.None);
        var plain = (await _mesh.SpecAsync("virtualservices", "reviews"))["http"]!.AsArray();
        Assert.Equal(["ratings-debug", "reviews-primary"], plain.Select(r => r!["name"]!.GetValue<string>()));
        Assert.True(JsonNode.DeepEquals(plain[1]!["route"]![0]!["headers"], plain[1]!["route"]![1]!["headers"]));

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 50, Sticky = Cookie }, CancellationToken.None);
        await _mesh.Router.FinalizeAsync(_plan, promoted: false, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(before["spec"], (await _mesh.GetAsync("virtualservices", "reviews"))["spec"]));
    }

    [Fact]
    public async Task StickySessions_OnACanaryTheTeamListed_PutItsOwnHeadersBackInPlace_AfterAPromotion()
    {
        await _mesh.Objects.UpdateAsync(
            new ResourceRef("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews"),
            vs => ((JsonArray)vs["spec"]!["http"]![1]!["route"]!).Add(JsonNode.Parse("""{"destination": {"host": "reviews", "subset": "v2"}, "headers": {"request": {"set": {"x-canary": "1"}}}, "weight": 0}""")),
            status: false,
            CancellationToken.None);

        await _mesh.Router.ApplyAsync(_plan, new TrafficIntent { CanaryWeight = 100, Sticky = Cookie }, CancellationToken.None);
        Assert.Contains("set-cookie", Destinations(await _mesh.SpecAsync("virtualservices", "reviews"), route: 2)[1]!.ToJsonString(), StringComparison.Ordinal);
        await _mesh.Router.FinalizeAsync(_plan, promoted: true, CancellationToken.None);

        var canary = Destinations(await _mesh.SpecAsync("virtualservices", "reviews"))[1]!;
        Assert.Equal("""{"destination":{"host":"reviews","subset":"v2"},"headers":{"request":{"set":{"x-canary":"1"}}},"weight":100}""", canary.ToJsonString());
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

    private const string Ratings = """
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "ratings", "namespace": "bookinfo", "labels": {"team": "ratings"}},
         "spec": {"hosts": ["ratings.bookinfo.svc.cluster.local"],
           "http": [
             {"name": "from-v1", "match": [{"sourceLabels": {"version": "v1"}}], "route": [{"destination": {"host": "ratings", "subset": "v1"}}]},
             {"match": [{"uri": {"prefix": "/ratings"}}, {"headers": {"x-debug": {"exact": "1"}}}], "route": [{"destination": {"host": "ratings", "subset": "v2"}}], "timeout": "3s"}
           ]}}
        """;

    private static TrafficIntent Resilience(params DependencyFault[] faults) => new() { CanaryWeight = 50, Faults = faults };

    /// <summary>The plan with a resilience stage of <see cref="SlowRatings"/>: the faults it may have put in are the ones it takes out.</summary>
    private RolloutPlan WithResilience => _plan with
    {
        Spec = _plan.Spec with { Stages = [.. _plan.Spec.Stages.Take(1), new Stage { Kind = StageKind.Resilience, Weight = 50, Faults = [SlowRatings] }, .. _plan.Spec.Stages.Skip(1)] },
    };

    private static readonly DependencyFault SlowRatings = new()
    {
        Host = "ratings",
        Delay = new FaultDelay { FixedDelay = TimeSpan.FromMilliseconds(1500), Percentage = 50 },
        Abort = new FaultAbort { GrpcStatus = "UNAVAILABLE", Percentage = 5 },
    };

    [Fact]
    public async Task DependencyFaults_MatchTheCanaryPodsAlone_AndComeOutLeavingTheDocumentAsItWas()
    {
        await _mesh.CreateAsync("virtualservices", Ratings);
        var before = await _mesh.GetAsync("virtualservices", "ratings");

        await _mesh.Router.ApplyAsync(WithResilience, Resilience(SlowRatings), CancellationToken.None);

        var http = (await _mesh.SpecAsync("virtualservices", "ratings"))["http"]!.AsArray();
        // The route for v1's pods cannot match the canary's; the other gets a twin in front, its matches narrowed to them.
        Assert.Equal(["from-v1", "canarypilot-reviews-fault-1", null], http.Select(r => r!["name"]?.GetValue<string>()));
        Assert.Equal(
            """{"name":"canarypilot-reviews-fault-1","match":[{"uri":{"prefix":"/ratings"},"sourceLabels":{"app":"reviews","version":"v2"},"sourceNamespace":"bookinfo"},{"headers":{"x-debug":{"exact":"1"}},"sourceLabels":{"app":"reviews","version":"v2"},"sourceNamespace":"bookinfo"}],"route":[{"destination":{"host":"ratings","subset":"v2"}}],"timeout":"3s","fault":{"delay":{"percentage":{"value":50},"fixedDelay":"1.5s"},"abort":{"percentage":{"value":5},"grpcStatus":"UNAVAILABLE"}}}""",
            http[1]!.ToJsonString());

        // The next stage has no faults: they come out, and the document is the team's again.
        await _mesh.Router.ApplyAsync(WithResilience, new TrafficIntent { CanaryWeight = 100 }, CancellationToken.None);
        Assert.True(JsonNode.DeepEquals(before["spec"], (await _mesh.GetAsync("virtualservices", "ratings"))["spec"]));

        await _mesh.Router.ApplyAsync(WithResilience, Resilience(SlowRatings), CancellationToken.None);
        await _mesh.Router.FinalizeAsync(WithResilience, promoted: false, CancellationToken.None);
        var after = await _mesh.GetAsync("virtualservices", "ratings");
        Assert.True(JsonNode.DeepEquals(before["spec"], after["spec"]));
        Assert.True(JsonNode.DeepEquals(before["metadata"]!["labels"], after["metadata"]!["labels"]));
        Assert.Null(after["metadata"]!["annotations"]);
    }

    [Fact]
    public async Task AnotherPlansFaultRoutes_AreNotDriven_AndItsOwnRolloutGoesOn()
    {
        await _mesh.CreateAsync("virtualservices", Ratings);
        await _mesh.Router.ApplyAsync(WithResilience, Resilience(SlowRatings), CancellationToken.None);
        var ratingsPlan = TestPlans.Reviews(
            """
                name: ratings
                virtualServices: [{name: ratings}]
                stable: {host: ratings, subset: v2, workload: ratings-v2, version: v2}
                canary: {host: ratings, subset: v3, workload: ratings-v3, version: v3}
            """,
            name: "ratings");

        var observed = await _mesh.Router.ObserveAsync(ratingsPlan, CancellationToken.None);

        // The fault route in front of the route to v2 reaches v2 too; it is reviews' plan's, not a second route to drive.
        Assert.Equal("http[1]", Assert.Single(observed.Routes).Route);
    }

    [Fact]
    public async Task DependencyFaults_NamedLabelsWin_AndAMissingVirtualServiceIsRefusedWithItsName()
    {
        var missing = await Assert.ThrowsAsync<TrafficRoutingException>(() => _mesh.Router.ApplyAsync(WithResilience, Resilience(SlowRatings), CancellationToken.None));
        Assert.Equal("no VirtualService in namespace bookinfo routes ratings; Istio injects faults through one: create it, or name it in the fault's virtualService", missing.Message);

        await _mesh.CreateAsync("virtualservices", Ratings);
        var labelled = Resilience(SlowRatings) with { SourceLabels = new Dictionary<string, string> { ["app"] = "reviews", ["track"] = "canary" } };
        await _mesh.Router.ApplyAsync(WithResilience, labelled, CancellationToken.None);

        var http = (await _mesh.SpecAsync("virtualservices", "ratings"))["http"]!.AsArray();
        Assert.Equal(["canarypilot-reviews-fault-from-v1", "from-v1", "canarypilot-reviews-fault-1", null], http.Select(r => r!["name"]?.GetValue<string>()));
        Assert.Equal("""{"version":"v1","app":"reviews","track":"canary"}""", http[0]!["match"]![0]!["sourceLabels"]!.ToJsonString());
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
