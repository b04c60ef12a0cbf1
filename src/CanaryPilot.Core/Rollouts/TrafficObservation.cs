namespace CanaryPilot.Core.Rollouts;

/// <summary>The live split of every driven route, as read from the cluster.</summary>
public sealed record TrafficObservation(IReadOnlyList<RouteSplit> Routes)
{
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

/// <summary>One driven route: which VirtualService, which route, and the split it holds.</summary>
public sealed record RouteSplit(string VirtualService, string Route, int StableWeight, int CanaryWeight, bool HasABRoute, double? MirrorPercentage)
{
    public override string ToString() => $"VirtualService {VirtualService} route {Route}";
}
