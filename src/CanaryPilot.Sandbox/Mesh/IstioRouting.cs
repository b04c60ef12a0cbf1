using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// Where Istio would send a request, read off a VirtualService: the first http route whose matches
/// the request satisfies (headers: exact, prefix, regex; the source's labels and namespace), one of its destinations by
/// weight, a mirror copy by its percentage, and the route's fault. The simulation's traffic follows the live resource this way.
/// </summary>
public static class IstioRouting
{
    public sealed record Target(string Host, string? Subset);

    /// <summary>
    /// Where a request goes, a copy of it, the route's <c>fault</c> (null when none) it meets on the way, and the cookie the
    /// chosen destination's responses set (its <c>headers.response</c> <c>Set-Cookie</c>; null when none).
    /// </summary>
    public sealed record Decision(Target? Destination, Target? Mirror, JsonObject? Fault = null, string? SetCookie = null);

    /// <summary>
    /// A simulated request: its path and headers (lower-case names), and the sending pod's labels and namespace, which
    /// <c>sourceLabels</c> and <c>sourceNamespace</c> match; a request from outside the mesh has none.
    /// </summary>
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers)
    {
        public IReadOnlyDictionary<string, string> SourceLabels { get; init; } = new Dictionary<string, string>();

        public string? SourceNamespace { get; init; }
    }

    public static Decision Route(JsonObject virtualService, Request request, Random random)
    {
        foreach (var route in (virtualService["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!Matches(route, request))
            {
                continue;
            }

            var picked = Pick((route["route"] as JsonArray ?? []).OfType<JsonObject>().ToList(), random);
            Target? mirror = null;
            if (route["mirror"] is JsonObject mirrored)
            {
                var percentage = route["mirrorPercentage"]?["value"]?.GetValue<double>() ?? 100;
                if (random.NextDouble() * 100 < percentage)
                {
                    mirror = TargetOf(mirrored);
                }
            }

            return new Decision(TargetOf(picked?["destination"] as JsonObject), mirror, route["fault"] as JsonObject, SetCookieOf(picked));
        }

        return new Decision(null, null);
    }

    private static bool Matches(JsonObject route, Request request)
    {
        if (route["match"] is not JsonArray { Count: > 0 } matches)
        {
            return true;
        }

        // Every condition of one match must hold; any match will do. Conditions the simulation does
        // not model (ports, query parameters…) never hold.
        return matches.OfType<JsonObject>().Any(match => match.All(condition => condition.Key switch
        {
            "name" => true,
            "headers" => (condition.Value as JsonObject ?? []).All(h => request.Headers.TryGetValue(h.Key, out var value) && StringMatches(h.Value as JsonObject, value)),
            "uri" => StringMatches(condition.Value as JsonObject, request.Path),
            "method" => StringMatches(condition.Value as JsonObject, "GET"),
            "ignoreUriCase" => true,
            "sourceLabels" => (condition.Value as JsonObject ?? []).All(l => request.SourceLabels.TryGetValue(l.Key, out var value) && value == l.Value?.GetValue<string>()),
            "sourceNamespace" => request.SourceNamespace == condition.Value?.GetValue<string>(),
            _ => false,
        }));
    }

    private static bool StringMatches(JsonObject? condition, string value) => condition switch
    {
        null => false,
        _ when condition["exact"] is { } exact => value == exact.GetValue<string>(),
        _ when condition["prefix"] is { } prefix => value.StartsWith(prefix.GetValue<string>(), StringComparison.Ordinal),
        _ when condition["regex"] is { } regex => Regex.IsMatch(value, regex.GetValue<string>(), RegexOptions.None, TimeSpan.FromMilliseconds(50)),
        _ => false,
    };

    private static JsonObject? Pick(List<JsonObject> destinations, Random random)
    {
        if (destinations.Count == 0)
        {
            return null;
        }

        var weights = destinations.Select(d => d["weight"]?.GetValue<int>() ?? (destinations.Count == 1 ? 100 : 0)).ToList();
        var total = weights.Sum();
        if (total <= 0)
        {
            return destinations[0];
        }

        var roll = random.Next(total);
        for (var i = 0; i < destinations.Count; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return destinations[i];
            }
        }

        return destinations[^1];
    }

    /// <summary>The <c>Set-Cookie</c> a destination adds to its responses, whatever the header name's case.</summary>
    private static string? SetCookieOf(JsonObject? destination) =>
        (destination?["headers"]?["response"]?["add"] as JsonObject ?? [])
            .FirstOrDefault(h => string.Equals(h.Key, "set-cookie", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();

    private static Target? TargetOf(JsonObject? destination) =>
        destination?["host"]?.GetValue<string>() is { } host ? new Target(host, destination["subset"]?.GetValue<string>()) : null;
}
