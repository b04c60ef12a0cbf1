using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>Something that happens to a rollout: time passing with evidence, or a person's command.</summary>
public abstract record RolloutInput
{
    /// <summary>The name commands go by in rejections and events.</summary>
    public abstract string Name { get; }
}

/// <summary>An analysis interval passed; <see cref="Analysis"/> holds its results, or null when none were taken.</summary>
public sealed record Tick(AnalysisResult? Analysis = null) : RolloutInput
{
    public override string Name => "tick";
}

/// <summary>
/// The continuous guard, watching between analysis ticks, found the canary worse than stable beyond the
/// tolerance in <paramref name="Stage"/>, which began at <paramref name="StageStartedAt"/>, with the counters
/// read at <paramref name="At"/>. Like a command,
/// it is carried out at once, and a tick's measurement in flight is dropped.
/// </summary>
public sealed record GuardTripped(int Stage, DateTimeOffset StageStartedAt, DateTimeOffset At, MetricVerdict Verdict) : RolloutInput
{
    public override string Name => "guard";
}

public sealed record ApproveCommand(string? By = null) : RolloutInput
{
    public override string Name => "approve";
}

public sealed record AbortCommand(string? Reason = null) : RolloutInput
{
    public override string Name => "abort";
}

public sealed record PauseCommand(string? Reason = null) : RolloutInput
{
    public override string Name => "pause";
}

public sealed record ResumeCommand : RolloutInput
{
    public override string Name => "resume";
}

/// <summary>Start a rolled-back or aborted rollout of the same revision again, without editing the plan.</summary>
public sealed record RetryCommand : RolloutInput
{
    public override string Name => "retry";
}

/// <summary>A person promotes now, skipping the remaining stages and analysis.</summary>
public sealed record PromoteCommand(string? By = null) : RolloutInput
{
    public override string Name => "promote";
}

/// <summary>The live mesh differs from what CanaryPilot set.</summary>
public sealed record DriftObserved(IReadOnlyList<string> Differences) : RolloutInput
{
    public override string Name => "drift";
}

/// <summary>
/// The traffic CanaryPilot set is not in force: a parent of a route refused it, or has not yet taken up the
/// route's generation. The stage holds, its passes count again once the change is in force.
/// </summary>
/// <summary>
/// The router refused to make the mesh match the stage's traffic, for <paramref name="Reason"/>: the resources are not as the
/// plan needs them, and trying again will not change that.
/// </summary>
public sealed record TrafficRefused(string Reason) : RolloutInput
{
    public override string Name => "traffic refused";
}

public sealed record TrafficNotInForce(IReadOnlyList<NotInForce> Reasons) : RolloutInput
{
    public override string Name => "traffic";
}

/// <summary>
/// The plan's workloads as <see cref="CheckWorkloads"/> asked: the canary's and the stable's (null when a name is neither
/// a Deployment nor a StatefulSet). <paramref name="Checked"/> is false when this engine reads no workloads at all.
/// </summary>
public sealed record WorkloadsObserved(int? Stage, int Load, WorkloadState? Canary, WorkloadState? Stable, bool Checked = true, string? Why = null, string? Unreadable = null) : RolloutInput
{
    public override string Name => "workloads";

    /// <summary>The workloads could not be read (the API refused or failed, for <paramref name="reason"/>): the step waits.</summary>
    public static WorkloadsObserved Failed(CheckWorkloads check, string reason) => new(check.Stage, check.Load, null, null, Why: check.Why, Unreadable: reason);

    public static WorkloadsObserved Of(CheckWorkloads check, WorkloadState? canary, WorkloadState? stable) => new(check.Stage, check.Load, canary, stable, Why: check.Why);

    /// <summary>An engine without a workload reader: the step goes ahead unchecked, and nobody is told so each time.</summary>
    public static WorkloadsObserved Unchecked(CheckWorkloads check) => new(check.Stage, check.Load, null, null, Checked: false, Why: check.Why);
}

/// <summary>What the plan's gates of <paramref name="Type"/> answered when the machine asked (<see cref="AskGates"/>).</summary>
public sealed record GatesAnswered(GateType Type, IReadOnlyList<GateAnswer> Answers) : RolloutInput
{
    public override string Name => "gates";
}

/// <summary>One gate's answer, with the policy that says what a timeout means.</summary>
public sealed record GateAnswer(string Gate, GateOutcome Outcome, GateTimeoutPolicy OnTimeout)
{
    public GateDecision Decision => Outcome.Decide(OnTimeout);
}
