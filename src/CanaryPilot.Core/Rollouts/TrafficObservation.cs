namespace CanaryPilot.Core.Rollouts;

/// <summary>The live split of every driven route, as read from the cluster.</summary>
/// <param name="Routes">The split of each driven route.</param>
/// <param name="NotInForce">
/// Why the routes as written do not carry traffic yet: a parent refused the route, or has not reported on its
/// generation. Empty when every parent accepted the latest change, and for routers without parents to ask.
/// </param>
public sealed record TrafficObservation(IReadOnlyList<RouteSplit> Routes, IReadOnlyList<NotInForce> NotInForce)
{
    public TrafficObservation(IReadOnlyList<RouteSplit> routes)
        : this(routes, [])
    {
    }

    /// <summary>Where the live state differs from <paramref name="intent"/>: drift, if CanaryPilot applied that intent last.</summary>
    public IReadOnlyList<string> DifferencesFrom(TrafficIntent intent)
    {
        var differences = new List<string>();
        foreach (var route in Routes)
        {
            if (route.CanaryWeight != intent.CanaryWeight || route.StableWeight != 100 - intent.CanaryWeight)
            {
                differences.Add($"{route}: stable {route.StableWeight}%, canary {route.CanaryWeight}% where CanaryPilot set stable {100 - intent.CanaryWeight}%, canary {intent.CanaryWeight}%");
            }

            if (route.HasABRoute != (intent.ABMatch.Count > 0))
            {
                differences.Add($"{route}: the A/B route is {(route.HasABRoute ? "present" : "missing")}");
            }

            if (route.MirrorPercentage != intent.MirrorPercentage)
            {
                differences.Add($"{route}: mirror {(route.MirrorPercentage is { } m ? $"{m}%" : "off")} where CanaryPilot set {(intent.MirrorPercentage is { } w ? $"{w}%" : "off")}");
            }
        }

        return differences;
    }
}

/// <summary>Why a route as written does not carry traffic: <paramref name="Refused"/> by a parent, or not yet taken up by it.</summary>
public sealed record NotInForce(string Reason, bool Refused)
{
    public override string ToString() => Reason;
}

/// <summary>
/// One driven route: which resource (<c>namespace/name</c> of a VirtualService, or of an HTTPRoute when
/// <paramref name="Kind"/> says so), which of its routes or rules, and the split it holds.
/// </summary>
public sealed record RouteSplit(string Resource, string Route, int StableWeight, int CanaryWeight, bool HasABRoute, double? MirrorPercentage, string Kind = "VirtualService")
{
    public override string ToString() => $"{Kind} {Resource} {(Kind == "HTTPRoute" ? "rule" : "route")} {Route}";
}
