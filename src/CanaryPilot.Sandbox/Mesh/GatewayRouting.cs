using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// Where a waypoint would send a request, read off a Gateway API HTTPRoute: of the rules' matches the request
/// satisfies, the one Gateway API ranks first (an exact path before a prefix, the longer prefix, a method, then
/// more header matches, then the earlier rule), one of its backendRefs by weight (1 unless given), and a copy for
/// each <c>RequestMirror</c> filter by its percent or fraction.
/// </summary>
public static class GatewayRouting
{
    public static IstioRouting.Decision Route(JsonObject route, IstioRouting.Request request, Random random)
    {
        var best = (Rule: (JsonObject?)null, Rank: (-1, -1, -1, -1));
        var rules = (route["spec"]?["rules"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var rule in rules)
        {
            var matches = rule["matches"] as JsonArray is { Count: > 0 } given ? given.OfType<JsonObject>().ToList() : [new JsonObject()];
            foreach (var match in matches.Where(m => Matches(m, request)))
            {
                var rank = Rank(match);
                if (rank.CompareTo(best.Rank) > 0)
                {
                    best = (rule, rank);
                }
            }
        }

        if (best.Rule is not { } chosen)
        {
            return new IstioRouting.Decision(null, null);
        }

        IstioRouting.Target? mirror = null;
        foreach (var filter in (chosen["filters"] as JsonArray ?? []).OfType<JsonObject>().Where(f => f["type"]?.GetValue<string>() == "RequestMirror"))
        {
            var settings = filter["requestMirror"];
            var percent = settings?["percent"]?.GetValue<double>()
                ?? (settings?["fraction"] is JsonObject f ? 100.0 * f["numerator"]!.GetValue<double>() / (f["denominator"]?.GetValue<double>() ?? 100) : 100);
            if (settings?["backendRef"]?["name"]?.GetValue<string>() is { } name && random.NextDouble() * 100 < percent)
            {
                mirror = new IstioRouting.Target(name, null);
            }
        }

        return new IstioRouting.Decision(Pick((chosen["backendRefs"] as JsonArray ?? []).OfType<JsonObject>().ToList(), random), mirror);
    }

    /// <summary>Gateway API's precedence among matching rules, as a tuple to compare: larger ranks first.</summary>
    private static (int, int, int, int) Rank(JsonObject match)
    {
        var path = match["path"];
        var exact = path?["type"]?.GetValue<string>() == "Exact" ? 1 : 0;
        var length = path?["value"]?.GetValue<string>().Length ?? 1;
        var method = match["method"] is null ? 0 : 1;
        var headers = (match["headers"] as JsonArray)?.Count ?? 0;
        return (exact, length, method, headers);
    }

    private static bool Matches(JsonObject match, IstioRouting.Request request)
    {
        var path = match["path"];
        var value = path?["value"]?.GetValue<string>() ?? "/";
        var pathHolds = (path?["type"]?.GetValue<string>() ?? "PathPrefix") switch
        {
            "Exact" => request.Path == value,
            "RegularExpression" => Regex.IsMatch(request.Path, value, RegexOptions.None, TimeSpan.FromMilliseconds(50)),
            _ => value == "/" || request.Path == value || request.Path.StartsWith(value.TrimEnd('/') + "/", StringComparison.Ordinal),
        };
        if (!pathHolds || (match["method"] is { } method && method.GetValue<string>() != "GET") || match["queryParams"] is JsonArray { Count: > 0 })
        {
            return false;
        }

        return (match["headers"] as JsonArray ?? []).OfType<JsonObject>().All(header =>
        {
            var name = header["name"]?.GetValue<string>().ToLowerInvariant() ?? "";
            var expected = header["value"]?.GetValue<string>() ?? "";
            return request.Headers.TryGetValue(name, out var actual) && (header["type"]?.GetValue<string>() ?? "Exact") switch
            {
                "RegularExpression" => Regex.IsMatch(actual, expected, RegexOptions.None, TimeSpan.FromMilliseconds(50)),
                _ => actual == expected,
            };
        });
    }

    private static IstioRouting.Target? Pick(List<JsonObject> backends, Random random)
    {
        var weights = backends.Select(b => b["weight"]?.GetValue<int>() ?? 1).ToList();
        var total = weights.Sum();
        if (total <= 0)
        {
            return null; // every backend at weight 0: the waypoint answers 500
        }

        var roll = random.Next(total);
        for (var i = 0; i < backends.Count; i++)
        {
            roll -= weights[i];
            if (roll < 0)
            {
                return backends[i]["name"]?.GetValue<string>() is { } name ? new IstioRouting.Target(name, null) : null;
            }
        }

        return null;
    }
}
