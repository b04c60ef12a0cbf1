using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Plans;
using CanaryPilot.Kubernetes.Istio;

namespace CanaryPilot.Kubernetes.GatewayApi;

/// <summary>Gateway API <c>HTTPRouteMatch</c>es for a plan's A/B matches, combined with the driven rule's own matches.</summary>
internal static class HttpRouteMatching
{
    /// <summary>
    /// Each of the rule's own matches (all its conditions must hold) combined with each A/B match, so the A/B rule
    /// never widens what reached the driven rule. Gateway API header matches are Exact or RegularExpression: a prefix
    /// becomes an anchored expression.
    /// </summary>
    public static JsonArray Combine(JsonObject rule, IReadOnlyList<RequestMatch> matches) => RouteMatching.Cross(rule["matches"], matches, (merged, match) =>
    {
        var headers = merged["headers"] as JsonArray ?? [];
        foreach (var (name, condition) in match.Headers)
        {
            Set(headers, name, condition.Exact is { } exact ? ("Exact", exact)
                : condition.Prefix is { } prefix ? ("RegularExpression", $"^{Regex.Escape(prefix)}.*")
                : ("RegularExpression", condition.Regex!));
        }

        if (match.Cookie is { } cookie)
        {
            Set(headers, "cookie", ("RegularExpression", RouteMatching.CookieRegex(cookie)));
        }

        merged["headers"] = headers;
    });

    /// <summary>Header names are case-insensitive: the A/B condition replaces the rule's own on the same header.</summary>
    private static void Set(JsonArray headers, string name, (string Type, string Value) condition)
    {
        foreach (var same in headers.OfType<JsonObject>().Where(h => string.Equals(h["name"]?.GetValue<string>(), name, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            headers.Remove(same);
        }

        headers.Add(new JsonObject { ["type"] = condition.Type, ["name"] = name, ["value"] = condition.Value });
    }
}
