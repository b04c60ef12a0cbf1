using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// What CanaryPilot wants the mesh to do for one rollout: the canary's share of the driven routes,
/// and the entries it owns (an A/B route, a mirror, a fault route). Everything else in the user's
/// resources is theirs and is left as it is.
/// </summary>
public sealed record TrafficIntent
{
    /// <summary>Percentage (0–100) of the driven routes' traffic sent to the canary; the stable gets the rest.</summary>
    public int CanaryWeight { get; init; }

    /// <summary>Requests matching any of these go to the canary through a CanaryPilot-owned route; none when empty.</summary>
    public IReadOnlyList<RequestMatch> ABMatch { get; init; } = [];

    /// <summary>Percentage of the driven routes' requests copied to the canary; none when null.</summary>
    public double? MirrorPercentage { get; init; }

    /// <summary>
    /// Faults in the canary's calls to its dependencies, on routes CanaryPilot adds to their VirtualServices; none when
    /// empty, and then every such route of the plan is removed.
    /// </summary>
    public IReadOnlyList<DependencyFault> Faults { get; init; } = [];

    /// <summary>The canary pods' labels the fault routes match; the canary subset's labels when empty.</summary>
    public IReadOnlyDictionary<string, string> SourceLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>Sticky canary sessions: the cookie the canary's responses set, and a route matching it to the canary; none when null.</summary>
    public StickySession? Sticky { get; init; }

    public static TrafficIntent AllStable { get; } = new();

    public static TrafficIntent AllCanary { get; } = new() { CanaryWeight = 100 };

    public override string ToString() =>
        $"canary {CanaryWeight}%{(ABMatch.Count > 0 ? ", A/B route" : "")}{(MirrorPercentage is { } m ? $", mirror {m}%" : "")}{(Faults.Count == 0 ? "" : $", faults on {string.Join(", ", Faults.Select(f => f.Host))}")}{(Sticky is null ? "" : ", sticky sessions")}";
}

/// <summary>The cookie of sticky canary sessions: its name, the rollout's value, and how long browsers keep it.</summary>
public sealed record StickySession(string CookieName, string Value, TimeSpan MaxAge)
{
    /// <summary>The <c>Set-Cookie</c> header the canary's responses carry.</summary>
    public string SetCookie => $"{CookieName}={Value}; Max-Age={(long)MaxAge.TotalSeconds}; Path=/";
}
