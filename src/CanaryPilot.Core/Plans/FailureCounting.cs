namespace CanaryPilot.Core.Plans;

public enum FailureCounting
{
    /// <summary>A passing check resets the count.</summary>
    Consecutive,

    /// <summary>Every failure in the rollout counts.</summary>
    Cumulative,
}
