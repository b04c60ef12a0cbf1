namespace CanaryPilot.Core.Plans;

/// <summary>What a gate that does not answer within its timeout does to the rollout.</summary>
public enum GateTimeoutPolicy
{
    /// <summary>Keep holding, and ask again at the next analysis interval; the progress deadline bounds the wait.</summary>
    Hold,

    /// <summary>Fail the rollout: traffic goes back to stable.</summary>
    Fail,
}
