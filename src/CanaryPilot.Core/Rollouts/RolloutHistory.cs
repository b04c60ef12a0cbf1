namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// One moment of a rollout worth drawing: a check, with each metric's value and the stable's, or a step (a stage
/// entered, a hold, a pause, the end), with the weights then and the decision's message. A status keeps the last
/// <see cref="RolloutHistory.Kept"/> of them, so that a dashboard can draw the last hours after any restart or failover.
/// </summary>
public sealed record HistoryPoint
{
    public DateTimeOffset Time { get; init; }

    /// <summary><c>check</c> (an analysis) or <c>step</c> (the phase, stage or weights changed).</summary>
    public required string Kind { get; init; }

    public RolloutPhase Phase { get; init; }

    public int? Stage { get; init; }

    public int CanaryWeight { get; init; }

    /// <summary>A check's verdict: <c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>error</c>.</summary>
    public string? Verdict { get; init; }

    /// <summary>A check's metrics, their values and the stable's.</summary>
    public IReadOnlyList<MetricPoint> Metrics { get; init; } = [];

    /// <summary>The decision, in a sentence.</summary>
    public string? Message { get; init; }

    /// <summary>What people and the cluster were told then (events and notifications): the announcements' types.</summary>
    public IReadOnlyList<string> Announced { get; init; } = [];

    /// <summary>What the gates answered, when the step was theirs to open: one line per gate.</summary>
    public IReadOnlyList<string> Gates { get; init; } = [];
}

/// <summary>
/// One metric at one check; for the sequential judge, the canary-to-stable ratio it estimated and its confidence
/// bounds (<see cref="Lower"/>, <see cref="Upper"/>), against the <see cref="Tolerance"/>.
/// </summary>
public sealed record MetricPoint(string Name, string Verdict, double? Value, double? StableValue)
{
    public double? Ratio { get; init; }

    public double? Lower { get; init; }

    public double? Upper { get; init; }

    public double? Tolerance { get; init; }
}

/// <summary>How a decision adds to a status's history: a point per check and per step, the oldest dropped past <see cref="Kept"/>.</summary>
public static class RolloutHistory
{
    /// <summary>At a check a minute, two hours of a rollout; each point is some hundred bytes of the status.</summary>
    public const int Kept = 120;

    public static RolloutStatus Record(RolloutStatus before, RolloutStatus after, DateTimeOffset now) => Record(before, after, now, [], []);

    /// <summary>
    /// Adds the decision's points: with what it <paramref name="announced"/>, and what the <paramref name="gates"/> it
    /// followed answered (a point of their own when nothing else changed).
    /// </summary>
    public static RolloutStatus Record(RolloutStatus before, RolloutStatus after, DateTimeOffset now, IReadOnlyList<string> announced, IReadOnlyList<string> gates)
    {
        var points = new List<HistoryPoint>(2);
        if (after.LastAnalysis is { } analysis && analysis.Time != before.LastAnalysis?.Time)
        {
            points.Add(new HistoryPoint
            {
                Time = analysis.Time,
                Kind = "check",
                Phase = after.Phase,
                Stage = after.Stage,
                CanaryWeight = before.CanaryWeight,
                Verdict = analysis.Verdict,
                Metrics = [.. after.Metrics.Where(m => m.MeasuredAt == analysis.Time).Select(m => new MetricPoint(m.Name, m.Verdict, m.Value, m.StableValue)
                {
                    Ratio = m.Evidence?.Ratio,
                    Lower = m.Evidence?.Lower,
                    Upper = m.Evidence?.Upper,
                    Tolerance = m.Evidence?.Tolerance,
                })],
                Message = after.Message,
            });
        }

        if (after.Phase != before.Phase || after.Stage != before.Stage || after.CanaryWeight != before.CanaryWeight
            || (after.Message != before.Message && points.Count == 0 && (after.TrafficHold ?? after.WorkloadHold) is not null))
        {
            points.Add(new HistoryPoint { Time = now, Kind = "step", Phase = after.Phase, Stage = after.Stage, CanaryWeight = after.CanaryWeight, Message = after.Message });
        }

        if (points.Count == 0 && (gates.Count > 0 || announced.Count > 0))
        {
            points.Add(new HistoryPoint { Time = now, Kind = gates.Count > 0 ? "gates" : "step", Phase = after.Phase, Stage = after.Stage, CanaryWeight = after.CanaryWeight, Message = after.Message });
        }

        if (points.Count == 0)
        {
            return after;
        }

        points[^1] = points[^1] with { Announced = announced, Gates = gates };

        var history = after.History.Count + points.Count > Kept ? after.History.Skip(after.History.Count + points.Count - Kept) : after.History;
        return after with { History = [.. history, .. points] };
    }
}
