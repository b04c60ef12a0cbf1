using System.Text.Json;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Cli;

/// <summary>
/// Prints a replay: the range and the queries once, then per check the stage in force, each metric's
/// verdict and why, and what the plan would have decided; last, where it ended and the verdict.
/// </summary>
internal static class BacktestPrinter
{
    /// <summary>Said first, in text and JSON, because it bounds what a replay can tell.</summary>
    public const string Note =
        "the data is what the mesh saw then: past traffic did not follow this plan's stages and weights, so each check judges the traffic split of its moment, not the stage's";

    private const string Indent = "  ";

    public static void WriteText(TextWriter writer, Replay replay, RolloutPlan plan, Range range)
    {
        writer.WriteLine($"backtest of {Name(plan)} from {AnalysisPrinter.Time(range.From)} to {AnalysisPrinter.Time(range.To)}: {replay.ChecksInRange} checks, one every {Duration.Format(plan.Spec.Analysis.Interval)}, on {range.Prometheus}");
        writer.WriteLine($"note: {Note}");
        if (replay.Checks.FirstOrDefault(c => c.Analysis is not null)?.Analysis is { } first)
        {
            var counted = first.Metrics.Any(m => m.Measurements.Counts is not null);
            writer.WriteLine($"queries, the same at every check{(counted ? " (the sequential judge's counts cover the interval before the check, added up over the stage)" : "")}:");
            foreach (var metric in first.Metrics)
            {
                AnalysisPrinter.WriteQueries(writer, metric, Indent);
            }
        }

        writer.WriteLine($"start at {AnalysisPrinter.Time(replay.Start.At)}: {replay.Start.After.Message}");
        WriteAssumed(writer, replay.Start);
        foreach (var check in replay.Checks)
        {
            writer.WriteLine($"check {check.Number} at {AnalysisPrinter.Time(check.At)}, {Stage(plan, check.Before)}:");
            foreach (var metric in check.Analysis?.Metrics ?? [])
            {
                AnalysisPrinter.WriteMetric(writer, metric, plan, Indent, withQueries: false);
            }

            AnalysisPrinter.Field(writer, Indent, "decision", $"{Word(check.Decision)} — {check.After.Message}");
            WriteAssumed(writer, check);
        }

        writer.WriteLine($"outcome: {Outcome(plan, replay)}");
        writer.WriteLine($"verdict: {AnalysisPrinter.Name(replay.Verdict)}");
    }

    public static void WriteJson(TextWriter writer, Replay replay, RolloutPlan plan, Range range)
    {
        var checks = replay.Steps.Select(step => new JsonCheck(
            step.Number,
            step.At,
            Stage(step.Before),
            step.Analysis?.Verdict,
            [.. (step.Analysis?.Metrics ?? []).Select(m => AnalysisPrinter.ToJson(m, plan))],
            step.Decision,
            step.After.Phase,
            Stage(step.After),
            step.After.Cause,
            step.After.Message,
            step.Assumed)).ToList();
        var last = replay.Steps[^1];
        var report = new JsonReport(
            Name(plan),
            range.Prometheus.ToString(),
            range.From,
            range.To,
            Duration.Format(plan.Spec.Analysis.Interval),
            replay.ChecksInRange,
            Note,
            replay.Verdict,
            new JsonOutcome(replay.Final.Phase, last.Number, last.At, replay.Final.Message, Outcome(plan, replay)),
            checks);
        writer.WriteLine(JsonSerializer.Serialize(report, AnalysisPrinter.Json));
    }

    private static void WriteAssumed(TextWriter writer, ReplayedCheck check)
    {
        foreach (var assumption in check.Assumed)
        {
            AnalysisPrinter.Field(writer, Indent, "assumed", assumption);
        }
    }

    private static string Outcome(RolloutPlan plan, Replay replay)
    {
        var last = replay.Steps[^1];
        var where = $"check {last.Number} of {replay.ChecksInRange} ({AnalysisPrinter.Time(last.At)})";
        return replay.Final.Phase switch
        {
            RolloutPhase.Succeeded => $"promoted at {where}: {replay.Final.Message}",
            RolloutPhase.RolledBack or RolloutPhase.Aborted => $"rolled back at {where}: {replay.Final.Message}",
            _ => $"the range ended at {where}, {Stage(plan, replay.Final)}: {replay.Final.Message}",
        };
    }

    private static string Stage(RolloutPlan plan, RolloutStatus status) =>
        status.Stage is { } index
            ? $"stage {index + 1} of {plan.Spec.EffectiveStages().Count} ({status.StageName}), canary {status.CanaryWeight}%"
            : "before the first stage";

    private static JsonStage? Stage(RolloutStatus status) =>
        status.Stage is { } index ? new JsonStage(index, status.StageName, status.CanaryWeight, status.StableWeight) : null;

    private static string Word(ReplayDecision decision) => decision switch
    {
        ReplayDecision.Start => "start",
        ReplayDecision.Hold => "hold",
        ReplayDecision.Advance => "advance",
        ReplayDecision.Promote => "promote",
        _ => "roll back",
    };

    private static string Name(RolloutPlan plan) => $"{plan.Namespace}/{plan.Metadata.Name}";

    /// <summary>The range asked for and the Prometheus it was read from.</summary>
    public sealed record Range(DateTimeOffset From, DateTimeOffset To, Uri Prometheus);

    private sealed record JsonReport(
        string Plan,
        string Prometheus,
        DateTimeOffset From,
        DateTimeOffset To,
        string Interval,
        int ChecksInRange,
        string Note,
        Verdict Verdict,
        JsonOutcome Outcome,
        IReadOnlyList<JsonCheck> Checks);

    private sealed record JsonOutcome(RolloutPhase Phase, int Check, DateTimeOffset At, string? Message, string Summary);

    /// <summary>One check (0: the start): the stage in force, the analysis, the decision and the stage after it.</summary>
    private sealed record JsonCheck(
        int Check,
        DateTimeOffset At,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonStage? Stage,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] Verdict? Verdict,
        IReadOnlyList<AnalysisPrinter.JsonMetric> Metrics,
        ReplayDecision Decision,
        RolloutPhase Phase,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] JsonStage? Next,
        RollbackCause? Cause,
        string? Message,
        IReadOnlyList<string> Assumed);

    /// <summary>A stage: its index in the plan's stages (from 0, as in the status), its name and weights.</summary>
    private sealed record JsonStage(int Index, string? Name, int CanaryWeight, int StableWeight);
}
