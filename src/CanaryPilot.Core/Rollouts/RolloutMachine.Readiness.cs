using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

public static partial class RolloutMachine
{
    private const string WorkloadCondition = "WorkloadChecked";
    private const string NotAWorkload = "NotAWorkload";

    /// <summary>The plan's canary workload is looked at before its traffic grows: it names one, and the check is not off.</summary>
    private static bool ChecksWorkloads(RolloutPlan plan) =>
        plan.Spec.Readiness.Check != ReadinessCheck.Off && plan.Spec.Service.Canary.Workload is not null;

    /// <summary>The share of the traffic (0–100) a stage gives the canary to serve: its weight, or what a mirror copies to it.</summary>
    private static int Load(Stage stage) => stage.Kind switch
    {
        StageKind.Mirror => (int)Math.Ceiling(stage.MirrorPercentage ?? 0),
        _ => stage.CanaryWeight,
    };

    /// <summary>Promotes once the canary's workload can take all the traffic; at once when the plan checks no workload.</summary>
    private static Decision PromoteWhenReady(RolloutPlan plan, RolloutStatus status, string why, DateTimeOffset now) =>
        ChecksWorkloads(plan)
            ? new Decision { Status = status, Actions = [new CheckWorkloads(null, 100, why)] }
            : Promote(status, why, now);

    /// <summary>
    /// The workloads as read before a traffic increase: the step goes ahead when the canary is ready (and, with capacity
    /// checks, large enough), or the rollout holds with the counts, telling people once. A reading for a step no longer
    /// pending (the rollout moved on meanwhile) changes nothing.
    /// </summary>
    private static Decision OnWorkloadsObserved(RolloutPlan plan, RolloutStatus status, WorkloadsObserved observed, DateTimeOffset now)
    {
        Func<RolloutStatus, Decision>? step = observed.Stage switch
        {
            int index when (status.Phase == RolloutPhase.Initializing && index == 0)
                || (status.Phase is RolloutPhase.Progressing or RolloutPhase.AwaitingApproval && index == status.Stage + 1) =>
                s => EnterStage(plan, s, index, now, gated: false, ready: true),
            null when status.Phase is RolloutPhase.Progressing or RolloutPhase.AwaitingApproval => s => Promote(s, observed.Why ?? "every stage passed", now),
            _ => null,
        };
        if (step is null)
        {
            return new Decision { Status = status };
        }

        if (!observed.Checked)
        {
            return step(status);
        }

        var canaryName = plan.Spec.Service.Canary.Workload!;
        if (observed.Unreadable is { } failure)
        {
            // Nothing says the workload can serve more: the step waits for a reading, as for a workload not ready.
            return HoldForWorkloads(plan, status, $"the canary's workload {canaryName} could not be read: {failure}", now);
        }

        if (observed.Canary is not { } canary)
        {
            var note = $"the canary's workload {canaryName} is neither a Deployment nor a StatefulSet in namespace {plan.Namespace}";
            if (plan.Spec.Readiness.Check == ReadinessCheck.Required)
            {
                return HoldForWorkloads(plan, status, $"{note}, and the plan requires its readiness check", now);
            }

            // Said once per rollout: the name may be a workload another controller owns, which CanaryPilot cannot judge.
            var told = status.Conditions.Any(c => c.Type == WorkloadCondition && c.Reason == NotAWorkload);
            var unchecked_ = step(status with
            {
                WorkloadHold = null,
                Conditions = told ? status.Conditions : RolloutCondition.Set(status.Conditions, WorkloadCondition, false, NotAWorkload, $"{note}: its readiness is not checked", now),
            });
            return told ? unchecked_ : unchecked_ with { Actions = [new Announce(RolloutEventType.WorkloadNotChecked, Severity.Warning, NotAWorkload, $"{note}: its readiness is not checked"), .. unchecked_.Actions] };
        }

        var problems = Problems(plan, observed, canary);
        return problems.Count > 0 ? HoldForWorkloads(plan, status, string.Join("; ", problems), now) : step(status with { WorkloadHold = null });
    }

    private static List<string> Problems(RolloutPlan plan, WorkloadsObserved observed, WorkloadState canary)
    {
        var readiness = plan.Spec.Readiness;
        var what = observed.Stage is { } index ? $"{observed.Load}% of the traffic at stage {index + 1} ({Describe(plan.Spec.EffectiveStages()[index])})" : "all the traffic";
        var problems = new List<string>();
        var needed = (int)Math.Ceiling(canary.Desired * readiness.MinReady / 100.0);
        if (!canary.Current)
        {
            problems.Add($"the canary's {canary} has not yet reported on its latest change");
        }
        else if (canary.Desired == 0)
        {
            problems.Add($"the canary's {canary} is scaled to 0 replicas; it cannot take {what}");
        }
        else if (canary.Available < needed)
        {
            problems.Add($"the canary's {canary} has {canary.Available} of {canary.Desired} replicas available; {needed} ({readiness.MinReady}%) must be before it takes {what}");
        }

        if (readiness.Capacity && observed.Stable is { } stable && observed.Load > 0)
        {
            var capacity = (int)Math.Ceiling(stable.Desired * observed.Load / 100.0);
            if (canary.Available < capacity)
            {
                problems.Add($"for capacity, {what} needs {capacity} available replicas ({observed.Load}% of the stable's {stable} with {stable.Desired}); the canary's {canary} has {canary.Available}");
            }
        }

        return problems;
    }

    /// <summary>The canary's traffic does not grow: the rollout holds where it is (its analysis goes on), told once, within the progress deadline.</summary>
    private static Decision HoldForWorkloads(RolloutPlan plan, RolloutStatus status, string reason, DateTimeOffset now)
    {
        if (PastDeadline(plan, status, now) is { } late)
        {
            return late;
        }

        var message = $"holding: {reason}";
        return new Decision
        {
            Status = status with { WorkloadHold = reason, Message = message },
            Actions = status.WorkloadHold is null ? [new Announce(RolloutEventType.TrafficHeld, Severity.Warning, "WorkloadNotReady", message)] : [],
        };
    }
}
