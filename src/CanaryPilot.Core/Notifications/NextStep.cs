using CanaryPilot.Core.Common;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Notifications;

/// <summary>What happens after an event, told to the people who receive it, so they know whether to act.</summary>
public static class NextStep
{
    public static string Describe(RolloutPlan plan, RolloutStatus status, RolloutEventType type) => type switch
    {
        RolloutEventType.Started => $"stage 1 of {plan.Spec.EffectiveStages().Count} starts: {FirstStage(plan)}",
        RolloutEventType.StageAdvanced => $"the analysis checks every {Duration.Format(plan.Spec.Analysis.Interval)}; once this stage passes, {AfterStage(plan, status)}",
        RolloutEventType.AnalysisFailed => AfterFailure(plan, status),
        RolloutEventType.AwaitingApproval => status.AwaitingApprovalFor == ApprovalGate.Promotion
            ? "waits for a person to approve the promotion"
            : $"waits for a person to approve; then {AfterStage(plan, status)}",
        RolloutEventType.DriftDetected => status.Phase == RolloutPhase.Paused
            ? "the rollout is paused, the mesh as someone else set it, until a person resumes it"
            : "CanaryPilot's weights are back; the rollout goes on",
        RolloutEventType.TrafficHeld => plan.Spec.Analysis.ProgressDeadline is { } deadline
            ? $"the stage holds until the route's parents accept the change; the rollout is rolled back if it has not finished within {Duration.Format(deadline)} of its start"
            : "the stage holds until the route's parents accept the change",
        RolloutEventType.WorkloadNotChecked => "the rollout goes on without looking at the canary's replicas; set spec.readiness.check: required to hold instead, or off to say nothing",
        RolloutEventType.Promoted => "nothing: all traffic is on the canary, the new stable",
        RolloutEventType.RolledBack => $"all traffic stays on {plan.Spec.Service.Stable}; fix the canary, then retry the rollout",
        RolloutEventType.Aborted => $"all traffic stays on {plan.Spec.Service.Stable}; retry the rollout to start again",
        _ => "CanaryPilot tries again at the next analysis interval",
    };

    private static string FirstStage(RolloutPlan plan) =>
        plan.Spec.EffectiveStages() is [var first, ..] ? RolloutMachine.Describe(first) : "none";

    private static string AfterStage(RolloutPlan plan, RolloutStatus status)
    {
        var stages = plan.Spec.EffectiveStages();
        var next = (status.Stage ?? -1) + 1;
        if (next < stages.Count)
        {
            return $"stage {next + 1} of {stages.Count}: {RolloutMachine.Describe(stages[next])}";
        }

        return plan.Spec.Promotion.Approval == Approval.Required ? "the promotion waits for approval" : "the canary is promoted";
    }

    private static string AfterFailure(RolloutPlan plan, RolloutStatus status)
    {
        var analysis = plan.Spec.Analysis;
        var left = Math.Max(1, analysis.FailureLimit - status.FailedChecks + 1);
        var reset = analysis.FailureCounting == FailureCounting.Consecutive ? "; a passing check resets the count" : "";
        return $"{left} more failed {(left == 1 ? "check rolls" : "checks roll")} the canary back{reset}";
    }
}
