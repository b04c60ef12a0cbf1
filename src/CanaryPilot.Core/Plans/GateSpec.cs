namespace CanaryPilot.Core.Plans;

/// <summary>A webhook that must answer 2xx before the rollout takes a step.</summary>
public sealed record GateSpec
{
    public required string Name { get; init; }

    public required GateType Type { get; init; }

    /// <summary>The http(s) URL called with the rollout's state.</summary>
    public required string Url { get; init; }

    /// <summary>How long one call may take; 30s unless said otherwise.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When the gate does not answer within <see cref="Timeout"/>: <c>hold</c> the rollout and ask again
    /// at the next interval (the default), or <c>fail</c> it. A gate that answers anything but 2xx holds.
    /// </summary>
    public GateTimeoutPolicy OnTimeout { get; init; } = GateTimeoutPolicy.Hold;

    /// <summary>Extra values sent to the gate.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

public enum GateType
{
    /// <summary>Before any traffic moves.</summary>
    PreRollout,

    /// <summary>Before each increase of canary traffic.</summary>
    ConfirmTrafficIncrease,

    /// <summary>Before the final promotion.</summary>
    ConfirmPromotion,
}
