using System.Globalization;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

public static partial class RolloutMachine
{
    private static Decision OnTick(RolloutPlan plan, RolloutStatus status, Tick tick, DateTimeOffset now) => status.Phase switch
    {
        _ when Superseded(plan, status) is { } why => RollBack(status, RollbackCause.Superseded, why),
        RolloutPhase.RollingBack when status.Cause == RollbackCause.Superseded => StartOver(plan, status),
        RolloutPhase.Pending => Start(plan, status, now),
        RolloutPhase.Initializing => EnterStage(plan, status, 0, now),
        RolloutPhase.Progressing => Analyze(plan, status, tick.Analysis, now),
        RolloutPhase.Promoting => Finish(status with { StableRevision = status.Revision }, RolloutPhase.Succeeded, now, plan),
        RolloutPhase.RollingBack => Finish(status, status.Cause == RollbackCause.Aborted ? RolloutPhase.Aborted : RolloutPhase.RolledBack, now, plan),
        RolloutPhase.AwaitingApproval when status.AwaitingGate is { } held => PastDeadline(plan, status, now) ?? Ask(status, held),
        // Approved, then held for the canary's workload: look again each interval.
        RolloutPhase.AwaitingApproval when status is { WorkloadHold: not null, Stage: { } approved } => PastDeadline(plan, status, now) ?? Advance(plan, status, approved, now),
        _ => new Decision { Status = status },
    };

    /// <summary>Why the rollout under way no longer matches its plan: the canary changed (a new revision, say); null when it matches.</summary>
    private static string? Superseded(RolloutPlan plan, RolloutStatus status)
    {
        var canary = plan.Spec.Service.Canary.ToString();
        return status.Phase is RolloutPhase.Initializing or RolloutPhase.Progressing or RolloutPhase.AwaitingApproval or RolloutPhase.Paused
            && status.Revision is { } rolling && rolling != canary
                ? $"the plan's canary changed from {rolling} to {canary} mid-rollout"
                : null;
    }

    /// <summary>All traffic is back on stable after a superseded rollout: start again, with the plan's new canary.</summary>
    private static Decision StartOver(RolloutPlan plan, RolloutStatus status)
    {
        var message = $"stopped rolling out {status.Revision}, all traffic on {plan.Spec.Service.Stable}: {status.Message?.Replace("rolling back: ", "", StringComparison.Ordinal)}; starting over with {plan.Spec.Service.Canary}";
        return new Decision
        {
            Status = new RolloutStatus { ObservedGeneration = status.ObservedGeneration, Conditions = status.Conditions, Message = message },
            Actions = [new Announce(RolloutEventType.Aborted, Severity.Warning, "Superseded", message)],
            TickAgain = true,
        };
    }

    private static Decision Start(RolloutPlan plan, RolloutStatus status, DateTimeOffset now, bool gated = true)
    {
        if (gated)
        {
            return Gated(plan, status, GateType.PreRollout, () => Start(plan, status, now, gated: false));
        }

        var revision = plan.Spec.Service.Canary.ToString();
        var message = $"rolling out {revision} (attempt {Math.Max(1, status.Attempt)}) over {plan.Spec.EffectiveStages().Count} stages";
        return new Decision
        {
            Status = status with
            {
                Phase = RolloutPhase.Initializing,
                AwaitingGate = null,
                Attempt = Math.Max(1, status.Attempt),
                Revision = revision,
                StartedAt = now,
                Counted = [],
                Message = message,
                // Each rollout says afresh whether its canary's workload is checked.
                Conditions = RolloutCondition.Set([.. status.Conditions.Where(c => c.Type != WorkloadCondition)], "Progressing", true, "Started", message, now),
            },
            Actions = [new Announce(RolloutEventType.Started, Severity.Info, "Started", message)],
            TickAgain = true,
        };
    }

    private static Decision EnterStage(RolloutPlan plan, RolloutStatus status, int index, DateTimeOffset now, bool gated = true, bool ready = false)
    {
        var stage = plan.Spec.EffectiveStages()[index];
        var increase = stage.Kind is not (StageKind.Canary or StageKind.Resilience) || stage.CanaryWeight > status.CanaryWeight;
        if (gated && increase)
        {
            // More of the users' requests reach the canary: the confirm-traffic-increase gates have their say.
            return Gated(plan, status, GateType.ConfirmTrafficIncrease, () => EnterStage(plan, status, index, now, gated: false));
        }

        if (!ready && increase && ChecksWorkloads(plan))
        {
            // And the canary's workload must be able to serve them.
            return new Decision { Status = status, Actions = [new CheckWorkloads(index, Load(stage))] };
        }

        var entered = status with
        {
            Counted = Carried(plan, status),
            Phase = RolloutPhase.Progressing,
            Stage = index,
            StageName = Describe(stage),
            CanaryWeight = stage.CanaryWeight,
            StableWeight = 100 - stage.CanaryWeight,
            StageStartedAt = now,
            TrafficHold = null,
            WorkloadHold = null,
            StagePassingSince = now,
            StagePasses = 0,
            AwaitingApprovalFor = null,
            AwaitingGate = null,
            Message = $"stage {index + 1} of {plan.Spec.EffectiveStages().Count}: {Describe(stage)}",
        };
        return new Decision
        {
            Status = entered,
            Actions = [new ApplyTraffic(IntentFor(plan, entered)!), new Announce(RolloutEventType.StageAdvanced, Severity.Info, "StageAdvanced", entered.Message!)],
        };
    }

    private static Decision Analyze(RolloutPlan plan, RolloutStatus status, AnalysisResult? analysis, DateTimeOffset now)
    {
        if (PastDeadline(plan, status, now) is { } late)
        {
            return late;
        }

        if (analysis is null)
        {
            return new Decision { Status = status };
        }

        var measured = status with
        {
            TrafficHold = null,
            Metrics = Recorded(plan, status, analysis),
            LastAnalysis = new AnalysisSummary { Time = analysis.At, Verdict = Name(analysis.Verdict), Summary = Summary(analysis) },
        };
        if (analysis.CriticalBreached)
        {
            var breached = analysis.Metrics.First(m => m.CriticalBreached);
            return RollBack(measured, RollbackCause.CriticalThreshold, $"metric \"{breached.Metric.Name}\" crossed its critical range: {breached.Reason}");
        }

        if (analysis.Metrics.FirstOrDefault(m => m is { Verdict: Verdict.Fail, Evidence: not null }) is { } worse)
        {
            // The sequential judge's Fail is already the evidence the plan asks for: no failure limit to wait out.
            return RollBack(measured, RollbackCause.AnalysisFailed, $"metric \"{worse.Metric.Name}\" is {worse.Reason}");
        }

        if (analysis.Verdict != Verdict.Fail && ShareMismatch(plan, status, analysis) is { } mismatch)
        {
            // The metrics describe a split other than the one in force: no evidence for this stage, whatever they say.
            var held = Inconclusive(plan, measured with { TrafficHold = mismatch }, analysis, now, mismatch);
            return status.TrafficHold is null && held.Status.Phase == RolloutPhase.Progressing
                ? held with { Actions = [.. held.Actions, new Announce(RolloutEventType.TrafficHeld, Severity.Warning, "TrafficDoesNotFollowWeights", held.Status.Message!)] }
                : held;
        }

        return analysis.Verdict switch
        {
            Verdict.Pass => Passed(plan, measured, now),
            Verdict.Inconclusive when analysis.OnlyUndecided && MayMoveOnUndecided(plan, status) => Passed(plan, measured, now),
            Verdict.Fail => Failed(plan, measured, analysis),
            _ => Inconclusive(plan, measured, analysis, now),
        };
    }

    /// <summary>
    /// The guard's evidence rolls back the stage it was gathered in; for any other (the rollout moved on,
    /// ended, or was paused since), it is old news and changes nothing.
    /// </summary>
    private static Decision OnGuardTripped(RolloutStatus status, GuardTripped tripped)
    {
        if (status.Phase != RolloutPhase.Progressing || status.Stage != tripped.Stage || status.StageStartedAt != tripped.StageStartedAt
            || tripped.Verdict is not { Verdict: Verdict.Fail } verdict || (verdict.Evidence is null && !verdict.CriticalBreached))
        {
            return new Decision { Status = status };
        }

        var guarded = Record(verdict, tripped.At);
        var measured = status with
        {
            Metrics = status.Metrics.Any(m => m.Name == guarded.Name)
                ? [.. status.Metrics.Select(m => m.Name == guarded.Name ? guarded : m)]
                : [.. status.Metrics, guarded],
        };
        return verdict.CriticalBreached
            ? RollBack(measured, RollbackCause.CriticalThreshold, $"the continuous guard found metric \"{verdict.Metric.Name}\" crossed its critical range: {verdict.Reason}")
            : RollBack(measured, RollbackCause.AnalysisFailed, $"the continuous guard found metric \"{verdict.Metric.Name}\" {verdict.Reason}");
    }

    private static Decision? PastDeadline(RolloutPlan plan, RolloutStatus status, DateTimeOffset now) =>
        plan.Spec.Analysis.ProgressDeadline is { } deadline && status.StartedAt is { } started && now - started >= deadline
            ? RollBack(status, RollbackCause.ProgressDeadline, $"the rollout did not finish within its progress deadline of {Duration.Format(deadline)}")
            : null;

    /// <summary>The stage is <c>advance: unlessWorse</c>, and not the last: promotion always waits for the evidence.</summary>
    private static bool MayMoveOnUndecided(RolloutPlan plan, RolloutStatus status)
    {
        var stages = plan.Spec.EffectiveStages();
        return status.Stage is { } index && index < stages.Count - 1 && stages[index].Advance == StageAdvance.UnlessWorse;
    }

    private static Decision Passed(RolloutPlan plan, RolloutStatus status, DateTimeOffset now)
    {
        var stage = plan.Spec.EffectiveStages()[status.Stage!.Value];
        if (status.StageStartedAt is { } entered && now - entered < plan.Spec.Analysis.Interval)
        {
            // Measured too soon after the traffic changed: the window still holds the previous stage.
            return new Decision { Status = status with { Message = $"stage {Describe(stage)}: too early to judge, the stage began {Duration.Format(now - entered)} ago" } };
        }

        var passed = status with
        {
            FailedChecks = plan.Spec.Analysis.FailureCounting == FailureCounting.Consecutive ? 0 : status.FailedChecks,
            InconclusiveChecks = 0,
            InconclusiveSince = null,
            StagePasses = status.StagePasses + 1,
            StagePassingSince = status.StagePassingSince ?? now,
            Message = $"stage {Describe(stage)}: {status.LastAnalysis!.Summary}",
        };
        var enoughChecks = passed.StagePasses >= (stage.Iterations ?? 1);
        var longEnough = stage.MinDuration is not { } minimum || now - passed.StagePassingSince >= minimum;
        if (!enoughChecks || !longEnough)
        {
            return new Decision { Status = passed };
        }

        if (stage.Approval == Approval.Required)
        {
            var awaiting = AwaitApproval(passed, ApprovalGate.Stage, $"stage {Describe(stage)} passed and waits for approval");
            return awaiting with { Actions = [.. FaultsLifted(plan, passed, awaiting.Status), .. awaiting.Actions] };
        }

        return Advance(plan, passed, status.Stage!.Value, now);
    }

    private static Decision Failed(RolloutPlan plan, RolloutStatus status, AnalysisResult analysis)
    {
        var failures = status.FailedChecks + 1;
        var limit = plan.Spec.Analysis.FailureLimit;
        var failing = string.Join("; ", analysis.Metrics.Where(m => m.Verdict == Verdict.Fail).Select(m => $"{m.Metric.Name}: {m.Reason}"));
        var failed = status with { FailedChecks = failures, StagePasses = 0, StagePassingSince = null, InconclusiveChecks = 0, InconclusiveSince = null };
        if (failures > limit)
        {
            return RollBack(failed, RollbackCause.AnalysisFailed, $"analysis failed {failures} {(plan.Spec.Analysis.FailureCounting == FailureCounting.Consecutive ? "times in a row" : "times")}, more than the {limit} allowed: {failing}");
        }

        var message = $"analysis failed ({failures} of {limit} failures allowed): {failing}";
        return new Decision
        {
            Status = failed with { Message = message },
            Actions = [new Announce(RolloutEventType.AnalysisFailed, Severity.Warning, "AnalysisFailed", message)],
        };
    }

    /// <summary>
    /// Why the observed split is not the one in force: at a canary or blue/green stage, with at least 100 requests (and the
    /// minimum-traffic volume) served, the canary's share of them is further from its weight than the plan's tolerance.
    /// </summary>
    private static string? ShareMismatch(RolloutPlan plan, RolloutStatus status, AnalysisResult analysis)
    {
        var tolerance = plan.Spec.Analysis.TrafficShareTolerance;
        var stage = status.Stage is { } index ? plan.Spec.EffectiveStages()[index] : null;
        if (tolerance <= 0 || analysis.Share is not { } share || stage?.Kind is not (StageKind.Canary or StageKind.Resilience or StageKind.BlueGreen)
            || share.Total < Math.Max(MinShareRequests, plan.Spec.Analysis.MissingData.MinRequestVolume))
        {
            return null;
        }

        // The requests were counted over the interval before the check, plus a scrape for the change to show: a window
        // that reaches back before the stage began holds the previous split too.
        if (status.StageStartedAt is { } started && analysis.At - plan.Spec.Analysis.Interval - plan.Spec.Analysis.Prometheus.ScrapeInterval < started)
        {
            return null;
        }

        var observed = share.CanaryPercent;
        // With sticky sessions, returning users add to the canary's share: only a share below its weight is a wrong split.
        var off = plan.Spec.SessionAffinity is null ? Math.Abs(observed - status.CanaryWeight) : status.CanaryWeight - observed;
        return off <= tolerance
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"traffic does not follow the weights: the canary served {observed:0.#}% of the requests ({share.CanaryRequests:0} of {share.Total:0}) where its weight is {status.CanaryWeight}%, more than {tolerance:0.#} points off");
    }

    /// <summary>Fewer requests than this say too little about the split to call it wrong.</summary>
    private const int MinShareRequests = 100;

    private static Decision Inconclusive(RolloutPlan plan, RolloutStatus status, AnalysisResult analysis, DateTimeOffset now, string? reason = null)
    {
        var since = status.InconclusiveSince ?? now;
        var policy = plan.Spec.Analysis.MissingData;
        var why = reason ?? string.Join("; ", analysis.Metrics.Where(m => m.Verdict is Verdict.Inconclusive or Verdict.Error).Select(m => $"{m.Metric.Name}: {m.Reason}"));
        // A check without evidence breaks the stage's run of passes: iterations and minDuration count again from the next pass.
        var held = status with { InconclusiveChecks = status.InconclusiveChecks + 1, InconclusiveSince = since, StagePasses = 0, StagePassingSince = null };
        if (now - since >= policy.MaxDuration)
        {
            return RollBack(held, RollbackCause.NoEvidence, $"no evidence for {Duration.Format(now - since)}, the most the plan allows is {Duration.Format(policy.MaxDuration)}: {why}");
        }

        return new Decision { Status = held with { Message = $"holding: analysis inconclusive ({why})" } };
    }

    private static Decision Advance(RolloutPlan plan, RolloutStatus status, int stage, DateTimeOffset now)
    {
        if (stage + 1 < plan.Spec.EffectiveStages().Count)
        {
            return EnterStage(plan, status, stage + 1, now);
        }

        return plan.Spec.Promotion.Approval == Approval.Required && status.AwaitingApprovalFor != ApprovalGate.Promotion
            ? AwaitApproval(status, ApprovalGate.Promotion, "every stage passed; the promotion waits for approval")
            : Gated(plan, status, GateType.ConfirmPromotion, () => PromoteWhenReady(plan, status, "every stage passed", now));
    }

    /// <summary>The step goes ahead at once when the plan has no gates of <paramref name="type"/>; otherwise the engine asks them first.</summary>
    private static Decision Gated(RolloutPlan plan, RolloutStatus status, GateType type, Func<Decision> step) =>
        plan.Spec.Gates.Any(g => g.Type == type) ? Ask(status, type) : step();

    private static Decision Ask(RolloutStatus status, GateType type) => new() { Status = status, Actions = [new AskGates(type)] };

    /// <summary>
    /// Every gate open: the step is taken. A gate closed, unreachable, or silent under the <c>hold</c> policy:
    /// the rollout holds where it is (analysis goes on, the progress deadline still bounds the wait) and
    /// asks again next interval. A gate silent under the <c>fail</c> policy: the rollout is rolled back.
    /// </summary>
    private static Decision OnGatesAnswered(RolloutPlan plan, RolloutStatus status, GatesAnswered answered, DateTimeOffset now)
    {
        if (GatedStep(plan, status, answered.Type, now) is not { } step)
        {
            return Decision.Reject(status, $"no step waits for the {Describe(answered.Type)} gates; the rollout is {status.Phase}");
        }

        var cleared = status with { AwaitingGate = null };
        if (answered.Answers.FirstOrDefault(a => a.Decision == GateDecision.Fail) is { } failed)
        {
            var why = $"{failed.Outcome.Reason}, and its policy on timeout is fail";
            return status.Phase == RolloutPhase.Pending
                ? Finish(cleared with { Cause = RollbackCause.GateTimedOut, Message = why }, RolloutPhase.RolledBack, now, plan)
                : RollBack(cleared, RollbackCause.GateTimedOut, why);
        }

        var holding = answered.Answers.Where(a => a.Decision == GateDecision.Hold).Select(a => a.Outcome.Reason).ToList();
        if (holding.Count == 0)
        {
            return step(cleared);
        }

        var message = $"held by the {Describe(answered.Type)} gates: {string.Join("; ", holding)}";
        return new Decision
        {
            Status = status with { AwaitingGate = answered.Type, Message = message },
            Actions = status.AwaitingGate == answered.Type ? [] : [new Announce(RolloutEventType.AwaitingApproval, Severity.Warning, "GateHeld", message)],
        };
    }

    /// <summary>The step the gates of <paramref name="type"/> guard in this status, taken without asking again; null when none waits.</summary>
    private static Func<RolloutStatus, Decision>? GatedStep(RolloutPlan plan, RolloutStatus status, GateType type, DateTimeOffset now)
    {
        var stages = plan.Spec.EffectiveStages().Count;
        return (type, status.Phase) switch
        {
            (GateType.PreRollout, RolloutPhase.Pending) => s => Start(plan, s, now, gated: false),
            (GateType.ConfirmTrafficIncrease, RolloutPhase.Initializing) => s => EnterStage(plan, s, 0, now, gated: false),
            (GateType.ConfirmTrafficIncrease, RolloutPhase.Progressing or RolloutPhase.AwaitingApproval) when status.Stage + 1 < stages =>
                s => EnterStage(plan, s, status.Stage!.Value + 1, now, gated: false),
            (GateType.ConfirmPromotion, RolloutPhase.Progressing or RolloutPhase.AwaitingApproval) => s => PromoteWhenReady(plan, s, "every stage passed and the promotion gates opened", now),
            _ => null,
        };
    }

    /// <summary>A gate type as plans write it: <c>pre-rollout</c>, <c>confirm-traffic-increase</c>, <c>confirm-promotion</c>.</summary>
    public static string Describe(GateType type) => type switch
    {
        GateType.PreRollout => "pre-rollout",
        GateType.ConfirmTrafficIncrease => "confirm-traffic-increase",
        _ => "confirm-promotion",
    };

    private static Decision AwaitApproval(RolloutStatus status, ApprovalGate gate, string message) => new()
    {
        Status = status with { Phase = RolloutPhase.AwaitingApproval, AwaitingApprovalFor = gate, Message = message },
        Actions = [new Announce(RolloutEventType.AwaitingApproval, Severity.Info, "AwaitingApproval", message)],
    };

    private static Decision Promote(RolloutStatus status, string why, DateTimeOffset now) => new()
    {
        Status = status with
        {
            Phase = RolloutPhase.Promoting,
            TrafficHold = null,
            WorkloadHold = null,
            CanaryWeight = 100,
            StableWeight = 0,
            AwaitingApprovalFor = null,
            AwaitingGate = null,
            PausedFrom = null,
            Message = $"promoting: {why}",
            Conditions = RolloutCondition.Set(status.Conditions, "Progressing", true, "Promoting", why, now),
        },
        Actions = [new FinalizeTraffic(Promoted: true)],
        TickAgain = true,
    };

    private static Decision RollBack(RolloutStatus status, RollbackCause cause, string why) => new()
    {
        Status = status with
        {
            Phase = RolloutPhase.RollingBack,
            TrafficHold = null,
            WorkloadHold = null,
            Cause = cause,
            CanaryWeight = 0,
            StableWeight = 100,
            AwaitingApprovalFor = null,
            AwaitingGate = null,
            PausedFrom = null,
            Message = $"rolling back: {why}",
        },
        Actions = [new FinalizeTraffic(Promoted: false)],
        TickAgain = true,
    };

    private static Decision Finish(RolloutStatus status, RolloutPhase phase, DateTimeOffset now, RolloutPlan plan)
    {
        var (type, severity, reason) = phase switch
        {
            RolloutPhase.Succeeded => (RolloutEventType.Promoted, Severity.Info, "Promoted"),
            RolloutPhase.Aborted => (RolloutEventType.Aborted, Severity.Warning, "Aborted"),
            _ => (RolloutEventType.RolledBack, Severity.Error, "RolledBack"),
        };
        var message = phase == RolloutPhase.Succeeded
            ? $"promoted {status.Revision}: all traffic on the canary, which is the new stable"
            : $"{(phase == RolloutPhase.Aborted ? "aborted" : "rolled back")}: all traffic on {plan.Spec.Service.Stable}. {status.Message?.Replace("rolling back: ", "", StringComparison.Ordinal)}";
        return new Decision
        {
            Status = status with
            {
                Phase = phase,
                FinishedAt = now,
                StableRevision = phase == RolloutPhase.Succeeded ? status.Revision : plan.Spec.Service.Stable.ToString(),
                Message = message,
                Conditions = RolloutCondition.Set(status.Conditions, "Progressing", false, reason, message, now),
            },
            Actions = [new Announce(type, severity, reason, message)],
        };
    }

    /// <summary>The counts of the stage being left join the earlier stages', once; a resilience stage's, measured under faults, do not.</summary>
    private static IReadOnlyList<CountedStage> Carried(RolloutPlan plan, RolloutStatus status) =>
        status.Stage is not { } left || status.Counted.Any(c => c.Stage == left) || plan.Spec.EffectiveStages()[left].Kind == StageKind.Resilience
            ? status.Counted
            : [.. status.Counted, .. status.Metrics.Where(m => m.Evidence is not null).Select(m => new CountedStage
            {
                Metric = m.Name,
                Stage = left,
                CanaryEvents = m.Evidence!.CanaryEvents,
                CanaryRequests = m.Evidence.CanaryRequests,
                StableEvents = m.Evidence.StableEvents,
                StableRequests = m.Evidence.StableRequests,
            })];

    /// <summary>
    /// The metrics as a check leaves them. A resilience stage compares nothing with the stable: the stable values measured
    /// before it (a later stage at 100% compares with them) are kept, as are the metrics it does not judge.
    /// </summary>
    private static List<MetricStatus> Recorded(RolloutPlan plan, RolloutStatus status, AnalysisResult analysis)
    {
        var recorded = analysis.Metrics.Select(m => Record(m, analysis.At)).ToList();
        if (status.Stage is not { } index || plan.Spec.EffectiveStages()[index].Kind != StageKind.Resilience)
        {
            return recorded;
        }

        var before = status.Metrics.ToDictionary(m => m.Name, StringComparer.Ordinal);
        return
        [
            .. recorded.Select(m => m.StableValue is null && before.GetValueOrDefault(m.Name)?.StableValue is { } stable ? m with { StableValue = stable } : m),
            .. status.Metrics.Where(m => !recorded.Any(r => r.Name == m.Name)),
        ];
    }

    private static MetricStatus Record(MetricVerdict verdict, DateTimeOffset at) => new()
    {
        Name = verdict.Metric.Name,
        Verdict = Name(verdict.Verdict),
        Value = verdict.Value,
        StableValue = verdict.StableValue,
        Threshold = Threshold(verdict.Metric),
        Query = verdict.Measurements.Canary.Query,
        Reason = verdict.Reason,
        MeasuredAt = at,
        Evidence = verdict.Evidence is { } e
            ? new MetricEvidence
            {
                Ratio = double.IsFinite(e.Estimate) ? e.Estimate : null,
                Lower = e.Lower,
                Upper = double.IsFinite(e.Upper) ? e.Upper : null,
                Tolerance = e.Tolerance,
                PromoteBelow = e.PromoteBelow,
                Confidence = e.Confidence,
                EValue = double.IsFinite(e.EValue) ? e.EValue : double.MaxValue,
                CanaryEvents = e.Counts.CanaryEvents,
                CanaryRequests = e.Counts.CanaryRequests,
                StableEvents = e.Counts.StableEvents,
                StableRequests = e.Counts.StableRequests,
            }
            : null,
    };

    private static string Threshold(MetricSpec metric)
    {
        var parts = new List<string>();
        if (metric.Thresholds is { } range)
        {
            parts.Add(range.ToString());
        }

        if (metric.CompareToStable is { } comparison)
        {
            var unit = comparison.Mode == ComparisonMode.Relative ? "%" : "";
            if (comparison.MaxIncrease is { } up)
            {
                parts.Add($"at most {up.ToString(CultureInfo.InvariantCulture)}{unit} above stable");
            }

            if (comparison.MaxDecrease is { } down)
            {
                parts.Add($"at most {down.ToString(CultureInfo.InvariantCulture)}{unit} below stable");
            }
        }

        return string.Join(", ", parts);
    }

    private static string Summary(AnalysisResult analysis)
    {
        var passed = $"{analysis.Metrics.Count(m => m.Verdict == Verdict.Pass)}/{analysis.Metrics.Count} metrics passed";
        return analysis.OnlyUndecided ? $"{passed}, the others not shown worse yet" : passed;
    }

    private static string Name(Verdict verdict) => verdict.ToString().ToLowerInvariant();
}
