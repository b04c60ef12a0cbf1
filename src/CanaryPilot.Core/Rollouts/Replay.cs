using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// A replay of a plan over past data (<see cref="RolloutReplay"/>): its start, then one entry per check,
/// up to the check at which the rollout ended or the last one in the range.
/// </summary>
public sealed record Replay(IReadOnlyList<ReplayedCheck> Steps, int ChecksInRange)
{
    /// <summary>The rollout starting at the range's beginning: into its first stage.</summary>
    public ReplayedCheck Start => Steps[0];

    public IEnumerable<ReplayedCheck> Checks => Steps.Skip(1);

    public RolloutStatus Final => Steps[^1].After;

    /// <summary>
    /// What the replay comes to, in the order of <see cref="AnalysisResult.Verdict"/>: Fail when it rolled
    /// back on evidence against the canary (a failed analysis, a critical range), or ended while the last
    /// check failed; otherwise Error when Prometheus failed for any query at any check (the replay rests on
    /// missing data); Pass when it promoted, or the range ended while the last check passed; otherwise
    /// Inconclusive — rolled back for want of evidence or at the progress deadline, or held.
    /// </summary>
    public Verdict Verdict => (Final.Phase, Final.Cause, Steps[^1].Analysis?.Verdict) switch
    {
        (RolloutPhase.RolledBack, RollbackCause.AnalysisFailed or RollbackCause.CriticalThreshold, _) => Verdict.Fail,
        (_, _, Verdict.Fail) when !RolloutMachine.IsTerminal(Final.Phase) => Verdict.Fail,
        _ when Checks.Any(c => c.Analysis?.Metrics.Any(m => m.Verdict == Verdict.Error) == true) => Verdict.Error,
        (RolloutPhase.Succeeded, _, _) => Verdict.Pass,
        (_, _, Verdict.Pass) when !RolloutMachine.IsTerminal(Final.Phase) => Verdict.Pass,
        _ => Verdict.Inconclusive,
    };
}

/// <summary>
/// One check of a replay (number 0: the start): the instant, the status in force before it, the analysis,
/// the status the machine rested in after it and every assumption made on the way (approvals, gates).
/// </summary>
public sealed record ReplayedCheck(int Number, DateTimeOffset At, RolloutStatus Before, AnalysisResult? Analysis, RolloutStatus After, IReadOnlyList<string> Assumed)
{
    /// <summary>What the machine did, read from the statuses before and after.</summary>
    public ReplayDecision Decision => After.Phase switch
    {
        RolloutPhase.Succeeded or RolloutPhase.Promoting => ReplayDecision.Promote,
        RolloutPhase.RolledBack or RolloutPhase.RollingBack or RolloutPhase.Aborted => ReplayDecision.RollBack,
        _ when Number == 0 => ReplayDecision.Start,
        _ when After.Stage != Before.Stage => ReplayDecision.Advance,
        _ => ReplayDecision.Hold,
    };
}

public enum ReplayDecision
{
    /// <summary>The rollout began: into its first stage.</summary>
    Start,

    /// <summary>The stage stays: a pass that needs more, a failure within the limit, no evidence yet.</summary>
    Hold,

    Advance,
    Promote,
    RollBack,
}
