namespace CanaryPilot.Core.Plans;

/// <summary>How a metric that compares the canary with stable is judged.</summary>
public enum Judge
{
    /// <summary>Each check's value against the thresholds and <c>compareToStable</c>'s limits.</summary>
    Threshold,

    /// <summary>
    /// An anytime-valid sequential test on the template's counts since the stage began: roll back when
    /// confident the canary is worse than stable by more than the tolerance, pass when confident it is not,
    /// hold otherwise (docs/judgement.md).
    /// </summary>
    Sequential,
}
