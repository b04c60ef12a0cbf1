using System.Globalization;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis.Statistics;

/// <summary>
/// The sequential judge of one metric: from the counts of the template's events (errors, say) and requests
/// of both versions since the stage began, a confidence sequence on ρ, the canary's event rate over
/// stable's (<see cref="RateRatioSequence"/>), against the tolerance <c>compareToStable</c> gives.
/// Worse beyond the tolerance with the plan's confidence: Fail. Not worse beyond it: Pass. Otherwise
/// Inconclusive — the evidence is not there yet, and the missing-data policy holds the stage.
/// </summary>
public static class SequentialJudge
{
    /// <summary>
    /// Judges the current stage's <paramref name="counts"/> together with the <paramref name="earlier"/>
    /// stages' (each stage is one interval of the sequence, with its own traffic share) at level
    /// 1 − <paramref name="alpha"/>. <paramref name="unitScale"/> turns an absolute tolerance in the
    /// template's unit into a share of requests (0.01 for percent).
    /// </summary>
    public static (Verdict Verdict, string Reason, Evidence Evidence) Judge(StableComparison comparison, IntervalCounts counts, IReadOnlyList<IntervalCounts> earlier, double alpha, double unitScale)
    {
        var sequence = new RateRatioSequence();
        foreach (var stage in earlier.Append(counts))
        {
            sequence.Add(stage);
        }

        var interval = sequence.Interval(alpha);
        var all = new IntervalCounts(sequence.CanaryEvents, sequence.CanaryRequests, sequence.StableEvents, sequence.StableRequests);
        var tolerance = Tolerance(comparison, all, unitScale);
        var promoteBelow = comparison.PromoteWithin is { } within ? Ratio(comparison, within, all, unitScale) : tolerance;
        var evidence = new Evidence(
            interval.Estimate,
            interval.Lower,
            interval.Upper,
            tolerance,
            1 - alpha,
            sequence.EValueAbove(tolerance),
            counts)
        {
            PromoteBelow = promoteBelow,
        };
        var numbers = Describe(evidence, all, earlier.Count + 1);
        if (counts.CanaryRequests <= 0 || counts.StableRequests <= 0)
        {
            var side = counts.CanaryRequests <= 0 ? "the canary" : "stable";
            return (Verdict.Inconclusive, $"no evidence yet: {side} served no requests since the stage began", evidence);
        }

        if (sequence.Worse(tolerance, alpha))
        {
            return (Verdict.Fail, $"worse than stable beyond the tolerance: {numbers}", evidence);
        }

        if (sequence.Better(promoteBelow, alpha))
        {
            return (Verdict.Pass, $"not worse than stable beyond the {(promoteBelow != tolerance ? "promotion margin" : "tolerance")}: {numbers}", evidence);
        }

        return (Verdict.Inconclusive, $"not enough evidence yet either way: {numbers}", evidence);
    }

    /// <summary>
    /// The tolerance as a ratio of event rates: the limit (<c>maxIncrease</c>, else <c>maxDecrease</c>) as
    /// <see cref="Ratio"/> reads it.
    /// </summary>
    public static double Tolerance(StableComparison comparison, IntervalCounts counts, double unitScale) =>
        Ratio(comparison, comparison.MaxIncrease ?? comparison.MaxDecrease ?? 0, counts, unitScale);

    /// <summary>
    /// A limit of <paramref name="comparison"/>'s mode as a ratio of event rates. A relative <c>maxIncrease</c>
    /// of p% is 1 + p/100. Anything else is a rise of the event share, turned into a ratio with stable's share
    /// measured so far (half an event added, so that a stable without events still gives a finite ratio): an
    /// absolute limit in the template's unit, or a relative <c>maxDecrease</c> of a success share (its fall
    /// is the events' rise).
    /// </summary>
    public static double Ratio(StableComparison comparison, double limit, IntervalCounts counts, double unitScale)
    {
        if (comparison.Mode == ComparisonMode.Relative && comparison.MaxIncrease is not null)
        {
            return 1 + (limit / 100);
        }

        var stableShare = (counts.StableEvents + 0.5) / Math.Max(1, counts.StableRequests);
        var rise = comparison.Mode == ComparisonMode.Absolute
            ? limit * unitScale
            : limit / 100 * (1 - stableShare);
        return 1 + (rise / stableShare);
    }

    private static string Describe(Evidence e, IntervalCounts all, int stages)
    {
        var confidence = (e.Confidence * 100).ToString("0.##", CultureInfo.InvariantCulture);
        var bounds = (e.Lower > 0, double.IsFinite(e.Upper)) switch
        {
            (true, true) => $"above {Times(e.Lower)} and below {Times(e.Upper)}",
            (true, false) => $"above {Times(e.Lower)}",
            (false, true) => $"below {Times(e.Upper)}",
            (false, false) => "not bounded yet",
        };
        var estimate = double.IsNaN(e.Estimate) ? "" : $"{Times(e.Estimate)} stable's, ";
        var margin = e.PromoteBelow != e.Tolerance ? $", passing below {Times(e.PromoteBelow)}" : "";
        return $"the canary's rate is {estimate}with {confidence}% confidence {bounds}, tolerance {Times(e.Tolerance)}{margin} " +
            $"(e-value {Number(e.EValue)}; {(stages > 1 ? $"over {stages} stages, " : "")}canary {Number(all.CanaryEvents)} of {Number(all.CanaryRequests)} requests, " +
            $"stable {Number(all.StableEvents)} of {Number(all.StableRequests)})";
    }

    private static string Times(double value) => double.IsPositiveInfinity(value) ? "∞" : $"{value.ToString("0.###", CultureInfo.InvariantCulture)}×";

    private static string Number(double value) => value.ToString(value >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);

    /// <summary>What a sequential verdict rests on.</summary>
    /// <param name="Estimate">The ratio ρ of the canary's event rate to stable's that fits best.</param>
    /// <param name="Lower">The anytime-valid lower bound of ρ at the confidence (0 while unset).</param>
    /// <param name="Upper">The upper bound, at the confidence on its own (+∞ while unset).</param>
    /// <param name="Tolerance">The ratio the plan allows.</param>
    /// <param name="Confidence">The level of the bounds.</param>
    /// <param name="EValue">The evidence that ρ is above the tolerance (against every ratio up to it): 1/(1 − confidence) or more is conclusive.</param>
    /// <param name="Counts">The current stage's counts (with the earlier stages', what it rests on).</param>
    public sealed record Evidence(double Estimate, double Lower, double Upper, double Tolerance, double Confidence, double EValue, IntervalCounts Counts)
    {
        /// <summary>The ratio the upper bound must fall under for a pass: the tolerance, or the promotion margin.</summary>
        public double PromoteBelow { get; init; } = Tolerance;
    }
}
