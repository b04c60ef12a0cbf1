using CanaryPilot.Core.Analysis.Statistics;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// What the analysis of a rollout's stage takes from its status: one rule for every caller that measures a
/// stage — the reconciler live, the replay over past data.
/// </summary>
public static class StageEvidence
{
    /// <summary>The sequential judge's counts of the stages this attempt has left, by metric, in stage order.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IntervalCounts>> Earlier(RolloutStatus status) =>
        status.Counted.GroupBy(c => c.Metric, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlyList<IntervalCounts>)[.. g.OrderBy(c => c.Stage).Select(c => new IntervalCounts(c.CanaryEvents, c.CanaryRequests, c.StableEvents, c.StableRequests))],
            StringComparer.Ordinal);

    /// <summary>With no traffic on the stable version, the stable values measured before stand in for it; null while stable takes traffic.</summary>
    public static IReadOnlyDictionary<string, double>? StableBaselines(RolloutStatus status) => status.StableWeight > 0
        ? null
        : status.Metrics.Where(m => m.StableValue is { } v && double.IsFinite(v)).ToDictionary(m => m.Name, m => m.StableValue!.Value, StringComparer.Ordinal);
}
