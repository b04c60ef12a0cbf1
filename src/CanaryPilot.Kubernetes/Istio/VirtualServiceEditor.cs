using System.Text.Json.Nodes;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// Edits a VirtualService as a JSON document for one plan: the weights of the driven routes, and the
/// entries CanaryPilot owns (an A/B route named <c>canarypilot-PLAN-ab…</c>, a mirror). Every other field is
/// left exactly as it was. Pure: no I/O, so every edit is tested on documents.
/// </summary>
internal sealed class VirtualServiceEditor(RolloutPlan plan, VirtualServiceRef reference)
{
    private static readonly string[] MirrorFields = ["mirror", "mirrorPercentage", "mirrorPercent", "mirror_percent", "mirrors"];
    private static readonly string[] NotCopiedToOwnedRoutes = ["name", "match", "route", "redirect", "directResponse", "delegate", "fault", .. MirrorFields];

    private string PlanKey => $"{plan.Namespace}/{plan.Metadata.Name}";

    public string OwnedPrefix => $"canarypilot-{plan.Metadata.Name}-";

    public IReadOnlyList<RouteSplit> Observe(JsonObject virtualService)
    {
        var hasAB = Routes(virtualService).Any(r => IsOwned(r) && Name(r)!.StartsWith(OwnedPrefix + "ab", StringComparison.Ordinal));
        return Driven(virtualService).Select(route =>
        {
            var (stable, canary) = Weights(route);
            return new RouteSplit(Describe(virtualService), route.Key, stable, canary, hasAB, MirrorPercentage(route));
        }).ToList();
    }

    public void Apply(JsonObject virtualService, TrafficIntent intent)
    {
        var record = RestoreRecord.ReadOrStart(virtualService, PlanKey);
        var driven = Driven(virtualService);
        foreach (var route in driven)
        {
            if (!record.Routes.TryGetValue(route.Key, out var routeRecord))
            {
                routeRecord = new RouteRecord { StableWeighted = route.Stable.ContainsKey("weight") };
                record.Routes[route.Key] = routeRecord;
            }

            var canary = route.Canary ?? AddCanary(route, routeRecord);
            route.Stable["weight"] = 100 - intent.CanaryWeight;
            canary["weight"] = intent.CanaryWeight;
            SetMirror(route, routeRecord, intent.MirrorPercentage, canary);
            SetCookie(canary, routeRecord, intent.Sticky);
        }

        RemoveOwnedRoutes(virtualService);
        InsertOwnedRoutes(virtualService, driven, intent);
        record.Write(virtualService);
    }

    public void Finalize(JsonObject virtualService, bool promoted)
    {
        var record = RestoreRecord.Read(virtualService) ?? new RestoreRecord { Plan = PlanKey };
        foreach (var route in Driven(virtualService))
        {
            var routeRecord = record.Routes.GetValueOrDefault(route.Key) ?? new RouteRecord { StableWeighted = true };
            SetMirror(route, routeRecord, null, route.Canary);
            if (route.Canary is { } canary)
            {
                SetCookie(canary, routeRecord, null);
            }

            routeRecord.EndSplit((JsonArray)route.Node["route"]!, route.Stable, route.Canary, promoted, () => AddCanary(route, routeRecord));
        }

        RemoveOwnedRoutes(virtualService);
        record.Remove(virtualService);
    }

    private List<DrivenRoute> Driven(JsonObject virtualService)
    {
        var spec = virtualService["spec"] as JsonObject ?? throw Refuse(virtualService, "has no spec");
        // A route CanaryPilot added, for this plan or another (another's resilience stage injecting a fault here), is never the team's to drive.
        var candidates = Routes(virtualService).Where(r => Name(r)?.StartsWith("canarypilot-", StringComparison.Ordinal) != true).ToList();
        var kind = "http";
        if (!candidates.Any(ReachesStable))
        {
            candidates = [.. (spec["tcp"] as JsonArray ?? []).OfType<JsonObject>(), .. (spec["tls"] as JsonArray ?? []).OfType<JsonObject>()];
            kind = "tcp/tls";
        }

        var keyed = candidates.Select((route, i) => (Route: route, Key: Name(route) ?? $"{kind}[{i}]")).ToList();
        List<(JsonObject Route, string Key)> driven;
        if (reference.Routes.Count > 0)
        {
            driven = [];
            foreach (var name in reference.Routes)
            {
                var found = keyed.Find(r => Name(r.Route) == name);
                if (found.Route is null)
                {
                    throw Refuse(virtualService, $"has no http route named \"{name}\"");
                }

                driven.Add(found);
            }
        }
        else
        {
            driven = keyed.Where(r => ReachesStable(r.Route)).ToList();
            if (driven.Count > 1)
            {
                throw Refuse(virtualService, $"has {driven.Count} routes to the stable destination {plan.Spec.Service.Stable} ({string.Join(", ", driven.Select(d => d.Key))}); name the ones to drive in the plan");
            }
        }

        if (driven.Count == 0)
        {
            throw Refuse(virtualService, $"has no route to the stable destination {plan.Spec.Service.Stable}");
        }

        return driven.Select(d => Classify(virtualService, d.Route, d.Key)).ToList();
    }

    private DrivenRoute Classify(JsonObject virtualService, JsonObject route, string key)
    {
        var destinations = (route["route"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var stable = destinations.Find(d => Is(d, plan.Spec.Service.Stable, virtualService))
            ?? throw Refuse(virtualService, $"route {key} does not reach the stable destination {plan.Spec.Service.Stable}");
        var canary = destinations.Find(d => Is(d, plan.Spec.Service.Canary, virtualService));
        // A destination at weight 0 (a version retired by an earlier promotion) receives nothing and is left as it is.
        var foreign = destinations.Find(d => d != stable && d != canary && !(d["weight"] is JsonValue w && w.TryGetValue<int>(out var weight) && weight == 0));
        if (foreign is not null)
        {
            throw Refuse(virtualService, $"route {key} also sends traffic to {foreign["destination"]?["host"]}{(foreign["destination"]?["subset"] is { } s ? $" subset {s}" : "")}; CanaryPilot splits a route between stable and canary only and will not guess");
        }

        return new DrivenRoute(route, key, stable, canary);
    }

    private bool ReachesStable(JsonObject route) =>
        (route["route"] as JsonArray ?? []).OfType<JsonObject>().Any(d => Is(d, plan.Spec.Service.Stable, null));

    private bool Is(JsonObject weighted, Destination side, JsonObject? virtualService)
    {
        var destination = weighted["destination"] as JsonObject;
        var host = destination?["host"]?.GetValue<string>();
        var ns = virtualService?["metadata"]?["namespace"]?.GetValue<string>() ?? plan.Namespace;
        return host is not null
            && HostName.Same(host, ns, side.Host, plan.Namespace)
            && destination!["subset"]?.GetValue<string>() == side.Subset;
    }

    private JsonObject AddCanary(DrivenRoute route, RouteRecord record)
    {
        var canary = (JsonObject)route.Stable.DeepClone();
        var destination = (JsonObject)canary["destination"]!;
        destination["host"] = plan.Spec.Service.Canary.Host;
        destination.Remove("subset");
        if (plan.Spec.Service.Canary.Subset is { } subset)
        {
            destination["subset"] = subset;
        }

        var list = (JsonArray)route.Node["route"]!;
        list.Insert(list.IndexOf(route.Stable) + 1, canary);
        record.AddedCanary = true;
        return canary;
    }

    private static (int Stable, int Canary) Weights(DrivenRoute route)
    {
        var destinations = (route.Node["route"] as JsonArray ?? []).Count;
        int Weight(JsonObject d) => d["weight"] is { } w ? w.GetValue<int>() : destinations == 1 ? 100 : 0;
        return (Weight(route.Stable), route.Canary is null ? 0 : Weight(route.Canary));
    }

    private static void SetMirror(DrivenRoute route, RouteRecord record, double? percentage, JsonObject? canary)
    {
        if (percentage is { } value)
        {
            record.Mirror ??= new JsonObject(MirrorFields.Where(route.Node.ContainsKey).Select(f => KeyValuePair.Create(f, route.Node[f]?.DeepClone())));
            foreach (var field in MirrorFields)
            {
                route.Node.Remove(field);
            }

            var mirror = (JsonObject)(canary ?? route.Stable)["destination"]!.DeepClone();
            route.Node["mirror"] = mirror;
            route.Node["mirrorPercentage"] = new JsonObject { ["value"] = value };
        }
        else if (record.Mirror is { } saved)
        {
            foreach (var field in MirrorFields)
            {
                route.Node.Remove(field);
            }

            foreach (var (field, original) in saved)
            {
                route.Node[field] = original?.DeepClone();
            }

            record.Mirror = null;
        }
    }

    /// <summary>
    /// Sticky sessions: the canary destination's responses set the cookie (<c>headers.response.add</c>, its own headers saved
    /// first); without <paramref name="sticky"/>, the saved headers are put back.
    /// </summary>
    private static void SetCookie(JsonObject canary, RouteRecord record, StickySession? sticky)
    {
        if (sticky is not null)
        {
            if (!record.CookieSet)
            {
                record.CanaryHeaders = canary["headers"]?.DeepClone() as JsonObject;
                record.CookieSet = true;
            }

            var headers = canary["headers"] as JsonObject ?? [];
            var response = headers["response"] as JsonObject ?? [];
            var add = response["add"] as JsonObject ?? [];
            add["set-cookie"] = sticky.SetCookie;
            response["add"] = add;
            headers["response"] = response;
            canary["headers"] = headers;
        }
        else if (record.CookieSet)
        {
            if (record.CanaryHeaders is { } saved)
            {
                canary["headers"] = saved.DeepClone(); // in place: where the team's own headers were
            }
            else
            {
                canary.Remove("headers");
            }

            record.CanaryHeaders = null;
            record.CookieSet = false;
        }
    }

    private double? MirrorPercentage(DrivenRoute route)
    {
        if (route.Node["mirror"] is not JsonObject mirror || !Is(new JsonObject { ["destination"] = mirror.DeepClone() }, plan.Spec.Service.Canary, null))
        {
            return null;
        }

        return route.Node["mirrorPercentage"]?["value"]?.GetValue<double>() ?? 100;
    }

    private void InsertOwnedRoutes(JsonObject virtualService, List<DrivenRoute> driven, TrafficIntent intent)
    {
        if (virtualService["spec"]!["http"] is not JsonArray http || (intent.ABMatch.Count == 0 && intent.Sticky is null))
        {
            return;
        }

        for (var i = 0; i < driven.Count; i++)
        {
            var route = driven[i];
            var position = http.IndexOf(route.Node);
            var suffix = driven.Count == 1 ? "" : $"-{i}";
            if (position < 0)
            {
                continue; // a tcp/tls route: A/B and sticky sessions need http, as validation says
            }

            if (intent.ABMatch.Count > 0)
            {
                http.Insert(position, ABRoute(route, $"{OwnedPrefix}ab{suffix}", intent.ABMatch));
            }

            if (intent.Sticky is { } sticky)
            {
                // Returning users, who carry the rollout's cookie, go to the canary, whose responses keep setting it.
                var cookie = new RequestMatch { Cookie = new CookieMatch { Name = sticky.CookieName, Value = sticky.Value } };
                var returning = ABRoute(route, $"{OwnedPrefix}sticky{suffix}", [cookie]);
                SetCookie((JsonObject)returning["route"]![0]!, new RouteRecord(), sticky);
                http.Insert(position, returning);
            }
        }
    }

    private JsonObject ABRoute(DrivenRoute route, string name, IReadOnlyList<RequestMatch> match)
    {
        var owned = new JsonObject { ["name"] = name, ["match"] = RouteMatching.Combine(route.Node, match) };
        foreach (var (field, value) in route.Node.Where(f => !NotCopiedToOwnedRoutes.Contains(f.Key)))
        {
            owned[field] = value?.DeepClone();
        }

        var canary = (JsonObject)(route.Canary ?? route.Stable).DeepClone();
        var destination = (JsonObject)canary["destination"]!;
        destination["host"] = plan.Spec.Service.Canary.Host;
        destination.Remove("subset");
        if (plan.Spec.Service.Canary.Subset is { } subset)
        {
            destination["subset"] = subset;
        }

        canary["weight"] = 100;
        owned["route"] = new JsonArray(canary);
        return owned;
    }

    private void RemoveOwnedRoutes(JsonObject virtualService)
    {
        if (virtualService["spec"]?["http"] is JsonArray http)
        {
            foreach (var owned in http.OfType<JsonObject>().Where(IsOwned).ToList())
            {
                http.Remove(owned);
            }
        }
    }

    private bool IsOwned(JsonObject route) => Name(route)?.StartsWith(OwnedPrefix, StringComparison.Ordinal) == true;

    private static IEnumerable<JsonObject> Routes(JsonObject virtualService) => (virtualService["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>();

    private static string? Name(JsonObject route) => route["name"]?.GetValue<string>();

    private static string Describe(JsonObject resource) =>
        $"{resource["metadata"]?["namespace"]}/{resource["metadata"]?["name"]}";

    private static TrafficRoutingException Refuse(JsonObject virtualService, string problem) =>
        new($"VirtualService {Describe(virtualService)} {problem}");
}
