using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.Istio;

namespace CanaryPilot.Kubernetes.GatewayApi;

/// <summary>
/// Edits a Gateway API HTTPRoute as a JSON document for one plan: the weights of the driven rule's stable and
/// canary backendRefs, and the entries CanaryPilot owns (rules named <c>canarypilot-PLAN-…</c>, a
/// <c>RequestMirror</c> filter to the canary). Every other field, rule, filter and parentRef is left exactly as
/// it was. Pure: no I/O, so every edit is tested on documents.
/// </summary>
internal sealed class HttpRouteEditor(RolloutPlan plan, HttpRouteRef reference)
{
    private static readonly string[] NotCopiedToOwnedRules = ["name", "matches", "backendRefs"];
    private static readonly string[] MirrorBackendFields = ["group", "kind", "namespace", "port"];

    private string PlanKey => $"{plan.Namespace}/{plan.Metadata.Name}";

    public string OwnedPrefix => $"canarypilot-{plan.Metadata.Name}-";

    /// <summary>This reference's A/B rule: one per driven rule, so two rules of one route each have their own.</summary>
    private string ABRuleName => reference.Rule is { } rule ? $"{OwnedPrefix}ab-{rule}" : $"{OwnedPrefix}ab";

    public IReadOnlyList<RouteSplit> Observe(JsonObject route)
    {
        var driven = Driven(route);
        var hasAB = Rules(route).Any(r => Name(r) == ABRuleName);
        var (stable, canary) = Shares(driven);
        return [new RouteSplit(Describe(route), driven.Key, stable, canary, hasAB, MirrorPercentage(driven.Rule), "HTTPRoute")];
    }

    public void Apply(JsonObject route, TrafficIntent intent)
    {
        if (intent.Faults.Count > 0)
        {
            throw Refuse(route, "cannot carry a resilience stage: the Gateway API has no fault filter; drive a VirtualService for resilience stages");
        }

        var record = RestoreRecord.ReadOrStart(route, PlanKey);
        var driven = Driven(route);
        if (!record.Routes.TryGetValue(driven.Key, out var ruleRecord))
        {
            ruleRecord = new RouteRecord { StableWeighted = driven.Stable.ContainsKey("weight") };
            record.Routes[driven.Key] = ruleRecord;
        }

        var canary = driven.Canary ?? AddCanary(driven, ruleRecord);
        driven.Stable["weight"] = 100 - intent.CanaryWeight;
        canary["weight"] = intent.CanaryWeight;
        SetMirror(driven, ruleRecord, intent.MirrorPercentage, canary);
        RemoveOwnedRules(route, ABRuleName);
        if (intent.ABMatch.Count > 0)
        {
            var rules = (JsonArray)route["spec"]!["rules"]!;
            rules.Insert(rules.IndexOf(driven.Rule), OwnedABRule(driven, canary, intent.ABMatch));
        }

        record.Write(route);
    }

    public void Finalize(JsonObject route, bool promoted)
    {
        var record = RestoreRecord.Read(route) ?? new RestoreRecord { Plan = PlanKey };
        if (record.Plan != PlanKey)
        {
            // Another plan drives this route: its weights and its record are that plan's to finalize.
            return;
        }

        RemoveOwnedRules(route, null);
        var driven = Driven(route);
        var ruleRecord = record.Routes.GetValueOrDefault(driven.Key) ?? new RouteRecord { StableWeighted = true };
        SetMirror(driven, ruleRecord, null, driven.Canary);
        ruleRecord.EndSplit((JsonArray)driven.Rule["backendRefs"]!, driven.Stable, driven.Canary, promoted, () => AddCanary(driven, ruleRecord));

        // Another reference of the plan may drive another rule of this route: its record stays until it is finalized too.
        record.Routes.Remove(driven.Key);
        if (record.Routes.Count == 0)
        {
            record.Remove(route);
        }
        else
        {
            record.Write(route);
        }
    }

    private DrivenRule Driven(JsonObject route)
    {
        if (route["spec"] is not JsonObject)
        {
            throw Refuse(route, "has no spec");
        }

        var keyed = Rules(route).Where(r => !IsOwned(r)).Select((rule, i) => (Rule: rule, Key: Name(rule) ?? $"rules[{i}]")).ToList();
        (JsonObject Rule, string Key) driven;
        if (reference.Rule is { } name)
        {
            driven = keyed.Find(r => Name(r.Rule) == name);
            if (driven.Rule is null)
            {
                throw Refuse(route, $"has no rule named \"{name}\"");
            }
        }
        else
        {
            var toStable = keyed.Where(r => Backends(r.Rule).Any(b => Is(b, plan.Spec.Service.Stable, route))).ToList();
            if (toStable.Count != 1)
            {
                throw Refuse(route, toStable.Count == 0
                    ? $"has no rule with a backendRef to the stable Service {plan.Spec.Service.Stable.Host}"
                    : $"has {toStable.Count} rules with a backendRef to the stable Service {plan.Spec.Service.Stable.Host} ({string.Join(", ", toStable.Select(r => r.Key))}); name the rule to drive in the plan");
            }

            driven = toStable[0];
        }

        var backends = Backends(driven.Rule).ToList();
        var stable = backends.Find(b => Is(b, plan.Spec.Service.Stable, route))
            ?? throw Refuse(route, $"rule {driven.Key} has no backendRef to the stable Service {plan.Spec.Service.Stable.Host}");
        var canary = backends.Find(b => Is(b, plan.Spec.Service.Canary, route));
        // A backend at weight 0 (a version retired by an earlier promotion) receives nothing and is left as it is.
        var foreign = backends.Find(b => b != stable && b != canary && !(b["weight"] is JsonValue w && w.TryGetValue<int>(out var weight) && weight == 0));
        if (foreign is not null)
        {
            throw Refuse(route, $"rule {driven.Key} also sends traffic to {foreign["name"]}; CanaryPilot splits a rule between stable and canary only and will not guess");
        }

        return new DrivenRule(driven.Rule, driven.Key, stable, canary);
    }

    /// <summary>A backendRef to the side's Service: core group, kind Service, the plan's namespace, and its port when the plan names one.</summary>
    private bool Is(JsonObject backend, Destination side, JsonObject route)
    {
        var group = Text(backend, "group") ?? "";
        var kind = Text(backend, "kind") ?? "Service";
        var ns = Text(backend, "namespace") ?? Text(route["metadata"] as JsonObject, "namespace") ?? plan.Namespace;
        var port = backend["port"] is JsonValue p && p.TryGetValue<int>(out var value) ? value : (int?)null;
        return group.Length == 0 && kind == "Service" && Text(backend, "name") == side.Host && ns == plan.Namespace
            && (side.Port is null || side.Port == port);
    }

    private JsonObject AddCanary(DrivenRule driven, RouteRecord record)
    {
        var canary = (JsonObject)driven.Stable.DeepClone();
        canary["name"] = plan.Spec.Service.Canary.Host;
        if (plan.Spec.Service.Canary.Port is { } port)
        {
            canary["port"] = port;
        }

        var list = (JsonArray)driven.Rule["backendRefs"]!;
        list.Insert(list.IndexOf(driven.Stable) + 1, canary);
        record.AddedCanary = true;
        return canary;
    }

    /// <summary>The shares of the rule's traffic, in percent: Gateway API weights are proportional, and default to 1.</summary>
    private static (int Stable, int Canary) Shares(DrivenRule driven)
    {
        static int Weight(JsonObject backend) => backend["weight"] is JsonValue w && w.TryGetValue<int>(out var value) ? value : 1;
        var total = Backends(driven.Rule).Sum(Weight);
        int Share(JsonObject? backend) => backend is null || total <= 0 ? 0 : (int)Math.Round(100.0 * Weight(backend) / total, MidpointRounding.AwayFromZero);
        return (Share(driven.Stable), Share(driven.Canary));
    }

    /// <summary>
    /// A mirror stage's <c>RequestMirror</c> filter to the canary; a mirror filter to the canary the user had is
    /// kept in the restore record meanwhile and put back afterwards.
    /// </summary>
    private void SetMirror(DrivenRule driven, RouteRecord record, double? percentage, JsonObject? canary)
    {
        var filters = driven.Rule["filters"] as JsonArray;
        var toCanary = (filters ?? []).OfType<JsonObject>().Where(IsMirrorToCanary).ToList();
        if (percentage is { } value)
        {
            record.Mirror ??= new JsonObject { ["filters"] = new JsonArray([.. toCanary.Select(f => f.DeepClone())]), ["hadFilters"] = filters is not null };
            if (filters is null)
            {
                filters = [];
                driven.Rule["filters"] = filters;
            }

            foreach (var filter in toCanary)
            {
                filters.Remove(filter);
            }

            // The canary's backendRef as the rule writes it (group, kind, namespace, port), without its weight and filters.
            var backend = new JsonObject();
            foreach (var field in MirrorBackendFields)
            {
                if ((canary ?? driven.Stable)[field] is { } given)
                {
                    backend[field] = given.DeepClone();
                }
            }

            backend["name"] = plan.Spec.Service.Canary.Host;

            var mirror = new JsonObject { ["backendRef"] = backend };
            if (value < 100)
            {
                if (value == Math.Floor(value))
                {
                    mirror["percent"] = (int)value;
                }
                else
                {
                    mirror["fraction"] = new JsonObject { ["numerator"] = (int)Math.Round(value * 10_000, MidpointRounding.AwayFromZero), ["denominator"] = 1_000_000 };
                }
            }

            filters.Add(new JsonObject { ["type"] = "RequestMirror", ["requestMirror"] = mirror });
        }
        else if (record.Mirror is { } saved)
        {
            if (filters is null)
            {
                // Someone removed the filters meanwhile: the saved ones go back into a list of their own.
                filters = [];
                driven.Rule["filters"] = filters;
            }

            foreach (var filter in toCanary)
            {
                filters.Remove(filter);
            }

            foreach (var original in (saved["filters"] as JsonArray ?? []).OfType<JsonObject>())
            {
                filters.Add(original.DeepClone());
            }

            if (filters is { Count: 0 } && saved["hadFilters"]?.GetValue<bool>() != true)
            {
                driven.Rule.Remove("filters");
            }

            record.Mirror = null;
        }
    }

    private bool IsMirrorToCanary(JsonObject filter) =>
        Text(filter, "type") == "RequestMirror" && filter["requestMirror"]?["backendRef"] is JsonObject backend
        && Text(backend, "name") == plan.Spec.Service.Canary.Host && (Text(backend, "kind") ?? "Service") == "Service"
        && (Text(backend, "group") ?? "").Length == 0 && (Text(backend, "namespace") ?? plan.Namespace) == plan.Namespace;

    private double? MirrorPercentage(JsonObject rule)
    {
        var mirror = (rule["filters"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(IsMirrorToCanary)?["requestMirror"];
        if (mirror is null)
        {
            return null;
        }

        if (mirror["percent"] is JsonValue percent)
        {
            return percent.GetValue<double>();
        }

        // Read back to the precision CanaryPilot writes (four decimals), so its own fraction is no drift.
        return mirror["fraction"] is JsonObject fraction
            ? Math.Round(100.0 * fraction["numerator"]!.GetValue<double>() / (fraction["denominator"]?.GetValue<double>() ?? 100), 4)
            : 100;
    }

    /// <summary>
    /// The A/B rule: the driven rule's own matches, each with the A/B conditions added, to the canary alone. With more
    /// header matches than the driven rule, Gateway API ranks it first wherever it stands; it sits just before.
    /// </summary>
    private JsonObject OwnedABRule(DrivenRule driven, JsonObject canary, IReadOnlyList<RequestMatch> matches)
    {
        var rule = new JsonObject { ["name"] = ABRuleName, ["matches"] = HttpRouteMatching.Combine(driven.Rule, matches) };
        foreach (var (field, value) in driven.Rule.Where(f => !NotCopiedToOwnedRules.Contains(f.Key)))
        {
            rule[field] = value?.DeepClone();
        }

        var backend = (JsonObject)canary.DeepClone();
        backend.Remove("weight");
        rule["backendRefs"] = new JsonArray(backend);
        return rule;
    }

    /// <summary>Removes the plan's rule of that name, or every rule the plan owns when <paramref name="name"/> is null.</summary>
    private void RemoveOwnedRules(JsonObject route, string? name)
    {
        if (route["spec"]?["rules"] is JsonArray rules)
        {
            foreach (var owned in rules.OfType<JsonObject>().Where(r => IsOwned(r) && (name is null || Name(r) == name)).ToList())
            {
                rules.Remove(owned);
            }
        }
    }

    private bool IsOwned(JsonObject rule) => Name(rule)?.StartsWith(OwnedPrefix, StringComparison.Ordinal) == true;

    private static IEnumerable<JsonObject> Rules(JsonObject route) => (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>();

    private static IEnumerable<JsonObject> Backends(JsonObject rule) => (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>();

    private static string? Name(JsonObject rule) => Text(rule, "name");

    private static string? Text(JsonObject? node, string field) => node?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static string Describe(JsonObject resource) =>
        $"{resource["metadata"]?["namespace"]}/{resource["metadata"]?["name"]}";

    private static TrafficRoutingException Refuse(JsonObject route, string problem) => new($"HTTPRoute {Describe(route)} {problem}");

    private sealed record DrivenRule(JsonObject Rule, string Key, JsonObject Stable, JsonObject? Canary);
}
