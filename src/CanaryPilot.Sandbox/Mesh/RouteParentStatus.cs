using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// The <c>status.parents</c> Istio's controller writes for an HTTPRoute: per parentRef, <c>Accepted</c> (false with
/// <c>NoMatchingParent</c> when the parent Service or Gateway does not exist) and <c>ResolvedRefs</c> (false with
/// <c>BackendNotFound</c> when a backendRef names a Service that does not exist), for the route's generation.
/// </summary>
public static class RouteParentStatus
{
    public const string MeshController = "istio.io/mesh-controller";
    public const string GatewayController = "istio.io/gateway-controller";

    /// <param name="route">The HTTPRoute as stored.</param>
    /// <param name="exists">Whether an object of a kind (<c>Service</c>, <c>Gateway</c>) exists in a namespace by a name.</param>
    /// <param name="now">The time of a condition that changes.</param>
    public static JsonObject For(JsonObject route, Func<string, string, string, bool> exists, DateTimeOffset now)
    {
        var ns = route["metadata"]?["namespace"]?.GetValue<string>() ?? "default";
        var generation = route["metadata"]?["generation"]?.GetValue<long>() ?? 1;
        var missing = Backends(route).Where(b => !exists("Service", b.Namespace ?? ns, b.Name)).Select(b => $"{b.Name}.{b.Namespace ?? ns}.svc.cluster.local").Distinct().ToList();
        var previous = (route["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var parents = new JsonArray();
        foreach (var parentRef in (route["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var kind = parentRef["kind"]?.GetValue<string>() ?? "Gateway";
            var parentNs = parentRef["namespace"]?.GetValue<string>() ?? ns;
            var name = parentRef["name"]?.GetValue<string>() ?? "";
            var found = exists(kind, parentNs, name);
            var before = previous.Find(p => JsonNode.DeepEquals(p["parentRef"], parentRef))?["conditions"] as JsonArray;
            parents.Add(new JsonObject
            {
                ["parentRef"] = parentRef.DeepClone(),
                ["controllerName"] = kind == "Service" ? MeshController : GatewayController,
                ["conditions"] = new JsonArray(
                    Condition(before, "Accepted", found, found ? "Accepted" : "NoMatchingParent", found ? "Route was valid" : $"parent {kind} {parentNs}/{name} not found", generation, now),
                    Condition(before, "ResolvedRefs", missing.Count == 0, missing.Count == 0 ? "ResolvedRefs" : "BackendNotFound",
                        missing.Count == 0 ? "All references resolved" : string.Join("; ", missing.Select(m => $"backend({m}) not found")), generation, now)),
            });
        }

        return new JsonObject { ["parents"] = parents };
    }

    /// <summary>Every Service the route sends or mirrors to.</summary>
    private static IEnumerable<(string Name, string? Namespace)> Backends(JsonObject route)
    {
        foreach (var rule in (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var refs = (rule["backendRefs"] as JsonArray ?? []).OfType<JsonObject>()
                .Concat((rule["filters"] as JsonArray ?? []).OfType<JsonObject>().Select(f => f["requestMirror"]?["backendRef"]).OfType<JsonObject>());
            foreach (var backend in refs.Where(b => (b["kind"]?.GetValue<string>() ?? "Service") == "Service"))
            {
                yield return (backend["name"]?.GetValue<string>() ?? "", backend["namespace"]?.GetValue<string>());
            }
        }
    }

    /// <summary>A condition, keeping its transition time when its status did not change.</summary>
    private static JsonObject Condition(JsonArray? before, string type, bool holds, string reason, string message, long generation, DateTimeOffset now)
    {
        var status = holds ? "True" : "False";
        var old = (before ?? []).OfType<JsonObject>().FirstOrDefault(c => c["type"]?.GetValue<string>() == type);
        var since = old?["status"]?.GetValue<string>() == status ? old["lastTransitionTime"]!.GetValue<string>() : now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["reason"] = reason,
            ["message"] = message,
            ["observedGeneration"] = generation,
            ["lastTransitionTime"] = since,
        };
    }
}
