using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>Istio <c>HTTPMatchRequest</c>s for a plan's A/B matches, combined with the driven route's own matches.</summary>
internal static class RouteMatching
{
    /// <summary>
    /// The matches of a route in front of <paramref name="driven"/>: each of the route's own matches
    /// (all must hold) combined with each A/B match, so the new route never widens what reached the driven one.
    /// </summary>
    public static JsonArray Combine(JsonObject driven, IReadOnlyList<RequestMatch> matches) => Cross(driven["match"], matches, (merged, match) =>
    {
        var headers = merged["headers"] as JsonObject ?? [];
        foreach (var (name, condition) in match.Headers)
        {
            headers[name] = StringMatch(condition);
        }

        if (match.Cookie is { } cookie)
        {
            headers["cookie"] = new JsonObject { ["regex"] = CookieRegex(cookie) };
        }

        merged["headers"] = headers;
    });

    /// <summary>
    /// Each of <paramref name="own"/> (a route's matches; none matches every request, as <c>{}</c> does) with each
    /// A/B match's conditions added by <paramref name="add"/>: the matches of a route that never widens what it copies.
    /// </summary>
    public static JsonArray Cross(JsonNode? own, IReadOnlyList<RequestMatch> matches, Action<JsonObject, RequestMatch> add)
    {
        var bases = own is JsonArray { Count: > 0 } existing ? existing.OfType<JsonObject>().ToList() : [new JsonObject()];
        var combined = new JsonArray();
        foreach (var base_ in bases)
        {
            foreach (var match in matches)
            {
                var merged = (JsonObject)base_.DeepClone();
                add(merged, match);
                combined.Add(merged);
            }
        }

        return combined;
    }

    /// <summary>A regular expression (RE2) for a Cookie header that holds the cookie with exactly this value.</summary>
    public static string CookieRegex(CookieMatch cookie) => $"^(.*?;\\s*)?({Regex.Escape(cookie.Name)}={Regex.Escape(cookie.Value)})(;.*)?$";

    private static JsonObject StringMatch(StringMatch condition) =>
        condition.Exact is { } exact ? new JsonObject { ["exact"] = exact }
        : condition.Prefix is { } prefix ? new JsonObject { ["prefix"] = prefix }
        : new JsonObject { ["regex"] = condition.Regex };
}
