namespace CanaryPilot.Core.Plans;

/// <summary>What a stage needs before the rollout moves on to the next one.</summary>
public enum StageAdvance
{
    /// <summary>Every check passes: for the sequential judge, the canary is shown not worse than the promotion margin.</summary>
    OnPass,

    /// <summary>
    /// The checks pass, or the sequential judge is still undecided on the counts it has: the stage moves on
    /// once its length is served unless the canary is shown worse. Missing data still holds it, fixed
    /// thresholds must still pass, and the last stage, which promotes, always waits for the evidence.
    /// </summary>
    UnlessWorse,
}
