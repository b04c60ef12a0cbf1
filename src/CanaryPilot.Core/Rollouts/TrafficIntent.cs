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

    /// <summary>A fault injected on a CanaryPilot-owned route to the canary; none when null.</summary>
    public FaultIntent? Fault { get; init; }

    public static TrafficIntent AllStable { get; } = new();

    public static TrafficIntent AllCanary { get; } = new() { CanaryWeight = 100 };

    public override string ToString() =>
        $"canary {CanaryWeight}%{(ABMatch.Count > 0 ? ", A/B route" : "")}{(MirrorPercentage is { } m ? $", mirror {m}%" : "")}{(Fault is null ? "" : ", fault route")}";
}

/// <summary>A fault on the requests that match, sent to the canary: a delay, an abort, or both.</summary>
public sealed record FaultIntent
{
    public required IReadOnlyList<RequestMatch> Match { get; init; }

    /// <summary>Delay this share (0–100) of matching requests by <see cref="DelayDuration"/>.</summary>
    public double? DelayPercentage { get; init; }

    public TimeSpan? DelayDuration { get; init; }

    /// <summary>Answer this share (0–100) of matching requests with <see cref="AbortStatus"/>.</summary>
    public double? AbortPercentage { get; init; }

    public int? AbortStatus { get; init; }
}
