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
    public static JsonArray Combine(JsonObject driven, IReadOnlyList<RequestMatch> matches)
    {
        var own = driven["match"] is JsonArray { Count: > 0 } existing ? existing.OfType<JsonObject>().ToList() : [new JsonObject()];
        var combined = new JsonArray();
        foreach (var base_ in own)
        {
            foreach (var match in matches)
            {
                var merged = (JsonObject)base_.DeepClone();
                var headers = merged["headers"] as JsonObject ?? [];
                foreach (var (name, condition) in match.Headers)
                {
                    headers[name] = StringMatch(condition);
                }

                if (match.Cookie is { } cookie)
                {
                    headers["cookie"] = new JsonObject { ["regex"] = $"^(.*?;\\s*)?({Regex.Escape(cookie.Name)}={Regex.Escape(cookie.Value)})(;.*)?$" };
                }

                merged["headers"] = headers;
                combined.Add(merged);
            }
        }

        return combined;
    }

    private static JsonObject StringMatch(StringMatch condition) =>
        condition.Exact is { } exact ? new JsonObject { ["exact"] = exact }
        : condition.Prefix is { } prefix ? new JsonObject { ["prefix"] = prefix }
        : new JsonObject { ["regex"] = condition.Regex };
}
