using System.Text.Json.Nodes;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// Makes sure the subsets a subset-level plan routes to exist. A missing canary subset is added,
/// owned by CanaryPilot, as a copy of the stable subset with the canary's version label; it is
/// removed again on rollback, and left in place after a promotion (traffic then depends on it).
/// </summary>
internal sealed class DestinationRuleEditor(RolloutPlan plan)
{
    private string PlanKey => $"{plan.Namespace}/{plan.Metadata.Name}";

    /// <summary>The rule (among <paramref name="rules"/>) that must change, or null when every subset is already defined.</summary>
    public JsonObject? NeedsCanarySubset(IReadOnlyList<JsonObject> rules)
    {
        var (stable, canary) = (plan.Spec.Service.Stable, plan.Spec.Service.Canary);
        if (canary.Subset is null)
        {
            return null;
        }

        var forHost = rules.Where(r => Serves(r, canary.Host)).ToList();
        if (forHost.Any(r => Subset(r, canary.Subset) is not null))
        {
            return null;
        }

        var owner = forHost.Find(r => stable.Subset is not null && Subset(r, stable.Subset) is not null);
        if (owner is null || canary.Version is null)
        {
            throw new TrafficRoutingException($"no DestinationRule in namespace {plan.Namespace} defines subset \"{canary.Subset}\" for host {canary.Host}, and CanaryPilot cannot add it without the stable subset and the canary's version label");
        }

        return owner;
    }

    public void AddCanarySubset(JsonObject rule)
    {
        var record = RestoreRecord.ReadOrStart(rule, PlanKey);
        var (stable, canary) = (plan.Spec.Service.Stable, plan.Spec.Service.Canary);
        if (Subset(rule, canary.Subset!) is not null)
        {
            return;
        }

        var added = (JsonObject)Subset(rule, stable.Subset!)!.DeepClone();
        added["name"] = canary.Subset;
        var labels = added["labels"] as JsonObject ?? [];
        labels["version"] = canary.Version;
        added["labels"] = labels;
        ((JsonArray)rule["spec"]!["subsets"]!).Add(added);
        record.AddedSubsets.Add(canary.Subset!);
        record.Write(rule);
    }

    /// <summary>Takes back what <see cref="AddCanarySubset"/> added: the subset on rollback, only the annotation after a promotion.</summary>
    public void Finalize(JsonObject rule, bool promoted)
    {
        if (RestoreRecord.Read(rule) is not { } record || record.Plan != PlanKey)
        {
            return;
        }

        if (!promoted && rule["spec"]?["subsets"] is JsonArray subsets)
        {
            foreach (var name in record.AddedSubsets)
            {
                subsets.Remove(subsets.OfType<JsonObject>().FirstOrDefault(s => s["name"]?.GetValue<string>() == name));
            }
        }

        record.Remove(rule);
    }

    private bool Serves(JsonObject rule, string host) =>
        rule["spec"]?["host"]?.GetValue<string>() is { } own
        && HostName.Same(own, rule["metadata"]?["namespace"]?.GetValue<string>() ?? plan.Namespace, host, plan.Namespace);

    private static JsonObject? Subset(JsonObject rule, string name) =>
        (rule["spec"]?["subsets"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(s => s["name"]?.GetValue<string>() == name);
}
