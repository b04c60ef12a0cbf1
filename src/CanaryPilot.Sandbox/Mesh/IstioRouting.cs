using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// Where Istio would send a request, read off a VirtualService: the first http route whose matches
/// the request satisfies (headers: exact, prefix, regex), one of its destinations by weight, and a
/// mirror copy by its percentage. The simulation's traffic follows the live resource this way.
/// </summary>
public static class IstioRouting
{
    public sealed record Target(string Host, string? Subset);

    public sealed record Decision(Target? Destination, Target? Mirror);

    /// <summary>A simulated request: its path and headers (lower-case names).</summary>
    public sealed record Request(string Path, IReadOnlyDictionary<string, string> Headers);

    public static Decision Route(JsonObject virtualService, Request request, Random random)
    {
        foreach (var route in (virtualService["spec"]?["http"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (!Matches(route, request))
            {
                continue;
            }

            var destination = Pick((route["route"] as JsonArray ?? []).OfType<JsonObject>().ToList(), random);
            Target? mirror = null;
            if (route["mirror"] is JsonObject mirrored)
            {
                var percentage = route["mirrorPercentage"]?["value"]?.GetValue<double>() ?? 100;
                if (random.NextDouble() * 100 < percentage)
                {
                    mirror = TargetOf(mirrored);
                }
            }

            return new Decision(destination, mirror);
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
        // not model (ports, query parameters, source labels…) never hold.
        return matches.OfType<JsonObject>().Any(match => match.All(condition => condition.Key switch
        {
            "name" => true,
            "headers" => (condition.Value as JsonObject ?? []).All(h => request.Headers.TryGetValue(h.Key, out var value) && StringMatches(h.Value as JsonObject, value)),
            "uri" => StringMatches(condition.Value as JsonObject, request.Path),
            "method" => StringMatches(condition.Value as JsonObject, "GET"),
            "ignoreUriCase" => true,
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

    private static Target? Pick(List<JsonObject> destinations, Random random)
    {
        if (destinations.Count == 0)
        {
            return null;
        }

        var weights = destinations.Select(d => d["weight"]?.GetValue<int>() ?? (destinations.Count == 1 ? 100 : 0)).ToList();
        var total = weights.Sum();
        if (total <= 0)
        {
            return TargetOf(destinations[0]["destination"] as JsonObject);
        }

        var roll = random.Next(total);
        for (var i = 0; i < destinations.Count; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return TargetOf(destinations[i]["destination"] as JsonObject);
            }
        }

        return TargetOf(destinations[^1]["destination"] as JsonObject);
    }

    private static Target? TargetOf(JsonObject? destination) =>
        destination?["host"]?.GetValue<string>() is { } host ? new Target(host, destination["subset"]?.GetValue<string>()) : null;
}
