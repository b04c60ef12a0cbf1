using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Notifications;

/// <summary>What a gate answered, and why, in words fit for the status (never the gate's address).</summary>
public sealed record GateOutcome(GateVerdict Verdict, string Reason)
{
    /// <summary>
    /// What the rollout does: an open gate lets it proceed; a closed or unreachable gate holds it (the
    /// plan's progress deadline bounds the wait); a gate that did not answer in time holds it or fails
    /// it, as <paramref name="onTimeout"/> says.
    /// </summary>
    public GateDecision Decide(GateTimeoutPolicy onTimeout) => Verdict switch
    {
        GateVerdict.Open => GateDecision.Proceed,
        GateVerdict.TimedOut when onTimeout == GateTimeoutPolicy.Fail => GateDecision.Fail,
        _ => GateDecision.Hold,
    };
}

public enum GateVerdict
{
    /// <summary>The gate answered with a 2xx status.</summary>
    Open,

    /// <summary>The gate answered with any other status.</summary>
    Closed,

    /// <summary>The gate did not answer within its timeout.</summary>
    TimedOut,

    /// <summary>The gate could not be asked: connection refused, name not resolved, TLS failed.</summary>
    Failed,
}

public enum GateDecision
{
    Proceed,
    Hold,
    Fail,
}
