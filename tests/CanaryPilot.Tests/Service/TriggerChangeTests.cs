using System.Text.Json.Nodes;
using CanaryPilot.Service;

namespace CanaryPilot.Tests.Service;

/// <summary>What a trigger writes into a plan, before and after a promotion.</summary>
public sealed class TriggerChangeTests
{
    private static JsonObject Plan() => JsonNode.Parse("""
        {"metadata": {"name": "reviews", "namespace": "bookinfo"},
         "spec": {"service": {"name": "reviews",
                              "stable": {"host": "reviews", "subset": "v1", "workload": "reviews-v1", "version": "v1"},
                              "canary": {"host": "reviews", "subset": "v2", "workload": "reviews-v2", "version": "v2", "revision": "2.0.0"}}}}
        """)!.AsObject();

    private static JsonNode Service(JsonObject plan) => plan["spec"]!["service"]!;

    [Fact]
    public void AfterAPromotion_TheCanaryBecomesTheStable_AndTheIdleSideTheCanary()
    {
        var changed = RolloutTriggers.Change(Plan(), new TriggerRequest { IdempotencyKey = "k", Revision = "2.1.0" }, promoted: true);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"host": "reviews", "subset": "v2", "workload": "reviews-v2", "version": "v2", "revision": "2.0.0"}"""), Service(changed)["stable"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"host": "reviews", "subset": "v1", "workload": "reviews-v1", "version": "v1", "revision": "2.1.0"}"""), Service(changed)["canary"]));
        Assert.Equal("k", (string?)changed["metadata"]!["annotations"]![RolloutTriggers.KeyAnnotation]);
    }

    [Fact]
    public void AfterAPromotion_ANewSubset_TakesNothingOfTheOldStablesWorkload()
    {
        var changed = RolloutTriggers.Change(Plan(), new TriggerRequest { IdempotencyKey = "k", Revision = "3.0.0", Canary = new CanaryChange { Subset = "v3" } }, promoted: true);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"host": "reviews", "subset": "v3", "revision": "3.0.0"}"""), Service(changed)["canary"]));
        Assert.Equal("v2", (string?)Service(changed)["stable"]!["subset"]);
    }

    [Fact]
    public void WithoutAPromotion_OnlyTheCanaryChanges()
    {
        var changed = RolloutTriggers.Change(Plan(), new TriggerRequest { IdempotencyKey = "k", Revision = "2.0.1" }, promoted: false);

        Assert.Equal("v1", (string?)Service(changed)["stable"]!["subset"]);
        Assert.Equal("v2", (string?)Service(changed)["canary"]!["subset"]);
        Assert.Equal("2.0.1", (string?)Service(changed)["canary"]!["revision"]);
    }

    [Fact]
    public void AfterAPromotion_NamingTheIdleSubset_KeepsItsWorkload()
    {
        var changed = RolloutTriggers.Change(Plan(), new TriggerRequest { IdempotencyKey = "k", Revision = "2.1.0", Canary = new CanaryChange { Subset = "v1" } }, promoted: true);

        Assert.Equal("reviews-v1", (string?)Service(changed)["canary"]!["workload"]);
        Assert.Equal("v1", (string?)Service(changed)["canary"]!["version"]);
    }
}
