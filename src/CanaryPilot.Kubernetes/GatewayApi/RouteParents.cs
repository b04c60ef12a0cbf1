using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.GatewayApi;

/// <summary>
/// The parents' verdict on a Gateway API route, read from <c>status.parents</c>: every parent the route names must
/// report <c>Accepted</c> and <c>ResolvedRefs</c> true for the route's current generation before its weights
/// are in force. Pure: it reads the document it is given.
/// </summary>
internal static class RouteParents
{
    private static readonly string[] Required = ["Accepted", "ResolvedRefs"];

    /// <summary>Why the route as written is not in force, one reason per parent; empty when every parent accepted this generation.</summary>
    public static IReadOnlyList<NotInForce> NotInForce(JsonObject route)
    {
        var routeNamespace = Text(route["metadata"], "namespace") ?? "";
        var generation = route["metadata"]?["generation"] is JsonValue g && g.TryGetValue<long>(out var value) ? value : (long?)null;
        var reported = (route["status"]?["parents"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var reasons = new List<NotInForce>();
        var describe = $"HTTPRoute {HttpRouteEditor.Describe(route)}";
        foreach (var parent in (route["spec"]?["parentRefs"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var key = Key(parent, routeNamespace);
            var status = reported.Find(r => r["parentRef"] is JsonObject reportedRef && Key(reportedRef, routeNamespace) == key);
            var conditions = (status?["conditions"] as JsonArray ?? []).OfType<JsonObject>().ToList();
            var problems = new List<string>();
            var refused = false;
            foreach (var type in Required)
            {
                var condition = conditions.Find(c => Text(c, "type") == type);
                var observed = condition?["observedGeneration"] is JsonValue o && o.TryGetValue<long>(out var seen) ? seen : (long?)null;
                if (condition is null || (generation is { } current && observed is { } old && old < current))
                {
                    problems.Add($"has not reported {type} for generation {generation}{(observed is { } at ? $" (its last report is for generation {at})" : "")}");
                }
                else if (Text(condition, "status") != "True")
                {
                    refused = true;
                    problems.Add($"reports {type} {Text(condition, "status") ?? "Unknown"} ({Text(condition, "reason") ?? "no reason"}: {Text(condition, "message") ?? "no message"})");
                }
            }

            if (problems.Count > 0)
            {
                reasons.Add(new NotInForce($"{describe}: parent {Describe(parent, routeNamespace)} {string.Join(" and ", problems)}", refused));
            }
        }

        return reasons;
    }

    /// <summary>A parentRef with Gateway API's defaults filled in: group gateway.networking.k8s.io, kind Gateway, the route's namespace.</summary>
    private static string Key(JsonObject parent, string routeNamespace) => string.Join('|',
        Text(parent, "group") ?? "gateway.networking.k8s.io",
        Text(parent, "kind") ?? "Gateway",
        Text(parent, "namespace") ?? routeNamespace,
        Text(parent, "name") ?? "",
        Text(parent, "sectionName") ?? "",
        parent["port"]?.ToJsonString() ?? "");

    private static string Describe(JsonObject parent, string routeNamespace) =>
        $"{Text(parent, "kind") ?? "Gateway"} {Text(parent, "namespace") ?? routeNamespace}/{Text(parent, "name")}"
        + (Text(parent, "sectionName") is { } section ? $" section {section}" : "")
        + (parent["port"] is { } port ? $" port {port.ToJsonString()}" : "");

    private static string? Text(JsonNode? node, string field) => node?[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
