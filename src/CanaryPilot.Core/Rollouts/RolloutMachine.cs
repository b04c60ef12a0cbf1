using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// The rollout state machine: (plan, status, input, now) → decision. Pure: no I/O, no clock, so every
/// rule is tested by feeding it inputs. The engine persists the decided status before it carries out
/// the actions, so a restarted engine resumes from the status alone (<see cref="RecoveryActions"/>).
/// </summary>
public static partial class RolloutMachine
{
    public static Decision Decide(RolloutPlan plan, RolloutStatus status, RolloutInput input, DateTimeOffset now)
    {
        var decision = DecideOnly(plan, status, input, now);
        if (!decision.Accepted)
        {
            return decision;
        }

        var announced = decision.Actions.OfType<Announce>().Select(a => a.Type.ToString()).ToList();
        var gates = input is GatesAnswered answered
            ? answered.Answers.Select(a => $"{Describe(answered.Type)} gate {a.Gate}: {a.Outcome.Verdict.ToString().ToLowerInvariant()} ({a.Outcome.Reason})").ToList()
            : [];
        return decision with { Status = RolloutHistory.Record(status, decision.Status, now, announced, gates) };
    }

    private static Decision DecideOnly(RolloutPlan plan, RolloutStatus status, RolloutInput input, DateTimeOffset now) => input switch
    {
        Tick tick => OnTick(plan, status, tick, now),
        ApproveCommand => OnApprove(plan, status, now),
        AbortCommand abort => OnAbort(plan, status, abort, now),
        PauseCommand pause => OnPause(plan, status, pause),
        ResumeCommand => OnResume(plan, status),
        RetryCommand => OnRetry(status, now),
        PromoteCommand promote => OnPromote(status, promote, now),
        DriftObserved drift => OnDrift(plan, status, drift),
        TrafficNotInForce held => OnTrafficNotInForce(plan, status, held, now),
        TrafficRefused refused => OnTrafficRefused(status, refused),
        WorkloadsObserved observed => OnWorkloadsObserved(plan, status, observed, now),
        GatesAnswered answered => OnGatesAnswered(plan, status, answered, now),
        GuardTripped tripped => OnGuardTripped(status, tripped),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input, "unknown rollout input"),
    };

    public static bool IsTerminal(RolloutPhase phase) => phase is RolloutPhase.Succeeded or RolloutPhase.RolledBack or RolloutPhase.Aborted;

    /// <summary>What to do again after a restart so the mesh matches the persisted status — never more than it says.</summary>
    public static IReadOnlyList<RolloutAction> RecoveryActions(RolloutPlan plan, RolloutStatus status) => status.Phase switch
    {
        RolloutPhase.Progressing or RolloutPhase.AwaitingApproval or RolloutPhase.Paused when IntentFor(plan, status) is { } intent => [new ApplyTraffic(intent)],
        RolloutPhase.Promoting => [new FinalizeTraffic(Promoted: true)],
        RolloutPhase.RollingBack => [new FinalizeTraffic(Promoted: false)],
        _ => [],
    };

    /// <summary>The traffic the status stands for while a stage is in force; null outside stages.</summary>
    public static TrafficIntent? IntentFor(RolloutPlan plan, RolloutStatus status)
    {
        var stages = plan.Spec.EffectiveStages();
        if (status.Stage is not { } index || index >= stages.Count || status.Phase is not (RolloutPhase.Progressing or RolloutPhase.AwaitingApproval or RolloutPhase.Paused))
        {
            return null;
        }

        var stage = stages[index];
        var sticky = Sticky(plan, status);
        return stage.Kind switch
        {
            StageKind.Mirror => new TrafficIntent { MirrorPercentage = stage.MirrorPercentage },
            StageKind.ABTest => new TrafficIntent { ABMatch = stage.Match },
            // The faults are in force while the stage is judged: waiting for approval, or paused, the canary's calls are left alone.
            StageKind.Resilience when status.Phase == RolloutPhase.Progressing => new TrafficIntent { CanaryWeight = stage.CanaryWeight, Faults = stage.Faults, SourceLabels = stage.SourceLabels, Sticky = sticky },
            StageKind.BlueGreen => new TrafficIntent { CanaryWeight = stage.CanaryWeight },
            _ => new TrafficIntent { CanaryWeight = stage.CanaryWeight, Sticky = sticky },
        };
    }

    /// <summary>
    /// The sticky-session cookie of this rollout, when the plan asks for one: its value is drawn from the plan and the
    /// attempt (its revision and start), so every replica, and a restarted engine, writes the same one, and a new attempt
    /// a new one.
    /// </summary>
    private static StickySession? Sticky(RolloutPlan plan, RolloutStatus status)
    {
        if (plan.Spec.SessionAffinity is not { } affinity)
        {
            return null;
        }

        var seed = $"{plan.Namespace}/{plan.Metadata.Name}/{status.Revision}/{status.Attempt}/{status.StartedAt?.ToUnixTimeMilliseconds()}";
        var value = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)))[..16];
        return new StickySession(affinity.CookieName ?? $"canarypilot-{plan.Metadata.Name}", value, affinity.MaxAge);
    }

    /// <summary>A stage's faults come off as it stops being judged (approval, a pause): the traffic for the new status, when that changes it.</summary>
    private static IReadOnlyList<RolloutAction> FaultsLifted(RolloutPlan plan, RolloutStatus before, RolloutStatus after) =>
        IntentFor(plan, before) is { Faults.Count: > 0 } && IntentFor(plan, after) is { } lifted ? [new ApplyTraffic(lifted)] : [];

    /// <summary>A stage as people read it: its name, or <c>25%</c>, <c>mirror 50%</c>, <c>A/B</c>, <c>blue/green</c>.</summary>
    public static string Describe(Stage stage) => stage.Name ?? stage.Kind switch
    {
        StageKind.Canary => $"{stage.Weight}%",
        StageKind.Mirror => $"mirror {stage.MirrorPercentage}%",
        StageKind.ABTest => "A/B",
        StageKind.Resilience => $"resilience {stage.Weight}% ({string.Join(", ", stage.Faults.Select(f => f.ShortName))})",
        _ => "blue/green",
    };

    private static Decision OnApprove(RolloutPlan plan, RolloutStatus status, DateTimeOffset now) => status switch
    {
        { Phase: RolloutPhase.AwaitingApproval, AwaitingApprovalFor: ApprovalGate.Promotion } => Gated(plan, status, GateType.ConfirmPromotion, () => PromoteWhenReady(plan, status, "approved", now)),
        { Phase: RolloutPhase.AwaitingApproval, Stage: { } stage } => Advance(plan, status, stage, now),
        _ => Decision.Reject(status, $"nothing awaits approval: the rollout is {status.Phase}"),
    };

    private static Decision OnAbort(RolloutPlan plan, RolloutStatus status, AbortCommand abort, DateTimeOffset now)
    {
        var reason = abort.Reason is null ? "aborted by a person" : $"aborted: {abort.Reason}";
        return status.Phase switch
        {
            _ when IsTerminal(status.Phase) => Decision.Reject(status, $"the rollout has already ended: {status.Phase}"),
            RolloutPhase.RollingBack => Decision.Reject(status, "the rollout is already rolling back"),
            RolloutPhase.Promoting => Decision.Reject(status, "the promotion is under way; it cannot be aborted"),
            RolloutPhase.Pending => Finish(status with { Cause = RollbackCause.Aborted, Message = reason }, RolloutPhase.Aborted, now, plan),
            _ => RollBack(status, RollbackCause.Aborted, reason),
        };
    }

    private static Decision OnPause(RolloutPlan plan, RolloutStatus status, PauseCommand pause)
    {
        if (status.Phase is not (RolloutPhase.Progressing or RolloutPhase.AwaitingApproval))
        {
            return Decision.Reject(status, $"only a progressing rollout can be paused; it is {status.Phase}");
        }

        var paused = status with { Phase = RolloutPhase.Paused, PausedFrom = status.Phase, Message = pause.Reason is null ? "paused by a person" : $"paused: {pause.Reason}" };
        return new Decision { Status = paused, Actions = FaultsLifted(plan, status, paused) };
    }

    private static Decision OnResume(RolloutPlan plan, RolloutStatus status)
    {
        if (status.Phase != RolloutPhase.Paused)
        {
            return Decision.Reject(status, $"the rollout is not paused; it is {status.Phase}");
        }

        var resumed = status with { Phase = status.PausedFrom ?? RolloutPhase.Progressing, PausedFrom = null, Message = "resumed" };
        return new Decision { Status = resumed, Actions = RecoveryActions(plan, resumed) };
    }

    private static Decision OnRetry(RolloutStatus status, DateTimeOffset now) => status.Phase is RolloutPhase.RolledBack or RolloutPhase.Aborted
        ? new Decision
        {
            Status = new RolloutStatus
            {
                Attempt = status.Attempt + 1,
                ObservedGeneration = status.ObservedGeneration,
                Revision = status.Revision,
                Message = $"retrying (attempt {status.Attempt + 1}) after {status.Phase}",
                Conditions = RolloutCondition.Set(status.Conditions, "Progressing", true, "Retrying", "a person asked to retry", now),
            },
            TickAgain = true,
        }
        : Decision.Reject(status, $"only a rolled-back or aborted rollout can be retried; it is {status.Phase}");

    private static Decision OnPromote(RolloutStatus status, PromoteCommand promote, DateTimeOffset now) =>
        status.Phase is RolloutPhase.Initializing or RolloutPhase.Progressing or RolloutPhase.AwaitingApproval or RolloutPhase.Paused
            ? Promote(status, promote.By is null ? "promoted by a person" : $"promoted by {promote.By}", now)
            : Decision.Reject(status, $"a {status.Phase} rollout cannot be promoted");

    /// <summary>
    /// No evidence counts for a stage whose traffic is not in force: its passes start again, and it is taken to begin
    /// (for its checks' windows and counts) no earlier than the last look that found it not in force; the progress
    /// deadline still bounds the wait. People are told of a refusal, once per reason; a parent that has not reported on the
    /// change yet only holds the stage.
    /// </summary>
    private static Decision OnTrafficNotInForce(RolloutPlan plan, RolloutStatus status, TrafficNotInForce held, DateTimeOffset now)
    {
        if (status.Phase != RolloutPhase.Progressing || held.Reasons.Count == 0)
        {
            return new Decision { Status = status };
        }

        if (PastDeadline(plan, status, now) is { } late)
        {
            return late;
        }

        var why = string.Join("; ", held.Reasons);
        var message = $"holding: the traffic change is not in force: {why}";
        return new Decision
        {
            // The stage begins, for its evidence, once its traffic is in force: checks and counts start from there.
            Status = status with { StagePasses = 0, StagePassingSince = null, StageStartedAt = now, TrafficHold = why, Message = message },
            Actions = status.TrafficHold == why || !held.Reasons.Any(r => r.Refused) ? [] : [new Announce(RolloutEventType.TrafficHeld, Severity.Warning, "TrafficNotInForce", message)],
        };
    }

    /// <summary>The stage's traffic cannot be put in place: all traffic goes back to stable, with the router's reason.</summary>
    private static Decision OnTrafficRefused(RolloutStatus status, TrafficRefused refused) =>
        status.Phase is RolloutPhase.Initializing or RolloutPhase.Progressing or RolloutPhase.AwaitingApproval or RolloutPhase.Paused
            ? RollBack(status, RollbackCause.TrafficRefused, $"the mesh cannot carry the stage's traffic: {refused.Reason}")
            : new Decision { Status = status };

    private static Decision OnDrift(RolloutPlan plan, RolloutStatus status, DriftObserved drift)
    {
        if (status.Phase is not (RolloutPhase.Progressing or RolloutPhase.AwaitingApproval))
        {
            return status.Phase == RolloutPhase.Paused || !IsTerminal(status.Phase)
                ? new Decision { Status = status }
                : Decision.Reject(status, $"the rollout has ended ({status.Phase}); the mesh is the users' again");
        }

        var what = string.Join("; ", drift.Differences);
        if (plan.Spec.OnDrift == DriftPolicy.Pause)
        {
            var message = $"paused: the mesh was changed by someone else ({what})";
            var paused = status with { Phase = RolloutPhase.Paused, PausedFrom = status.Phase, Message = message };
            return new Decision
            {
                Status = paused,
                Actions = [.. FaultsLifted(plan, status, paused), new Announce(RolloutEventType.DriftDetected, Severity.Warning, "DriftDetected", message)],
            };
        }

        return new Decision
        {
            Status = status with { Message = $"re-applied CanaryPilot's weights after drift ({what})" },
            Actions = [.. RecoveryActions(plan, status), new Announce(RolloutEventType.DriftDetected, Severity.Warning, "DriftDetected", $"the mesh was changed by someone else; CanaryPilot re-applied its weights ({what})")],
        };
    }
}
