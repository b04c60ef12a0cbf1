using System.Globalization;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// Turns a metric's measurements into a verdict, purely. In order: a failed provider is Error; too little
/// traffic or no usable canary value is Inconclusive; a value outside the critical range or the thresholds
/// is Fail; then the comparison with the stable, which needs a stable value too — or, for the sequential
/// judge, the counts of both versions. Never Pass without data.
/// </summary>
public static class MetricJudge
{
    /// <summary>
    /// Judges one metric. The sequential judge (when <paramref name="measured"/> has counts) works at level
    /// 1 − <paramref name="alpha"/>, on the current stage's counts with the <paramref name="earlier"/> stages',
    /// and reads an absolute tolerance with <paramref name="unitScale"/>, one unit of the template's value as
    /// a share of requests. When the stage was measured in pieces, <paramref name="stageBefore"/> holds its
    /// counts before the measured piece, which they extend.
    /// </summary>
    public static MetricVerdict Judge(
        MetricSpec metric,
        MetricMeasurements measured,
        int minRequestVolume,
        TimeSpan window,
        double alpha = 1 - AnalysisSpec.DefaultConfidence,
        double unitScale = 1,
        IReadOnlyList<IntervalCounts>? earlier = null,
        IntervalCounts? stageBefore = null)
    {
        var verdict = new MetricVerdict { Metric = metric, Measurements = measured, Verdict = Verdict.Inconclusive, Reason = "" };

        if (minRequestVolume > 0 && measured.RequestVolume is { } volumeMeasurement)
        {
            var volume = Read(volumeMeasurement, "request volume");
            if (volume.Value is not { } requests)
            {
                return verdict with { Verdict = volume.Verdict, Reason = volume.Reason };
            }

            verdict = verdict with { RequestCount = requests };
            if (requests < minRequestVolume)
            {
                return verdict with
                {
                    Verdict = Verdict.Inconclusive,
                    Reason = $"too little traffic: the canary served {Format(requests)} requests in {Common.Duration.Format(window)}; at least {minRequestVolume} are needed to judge",
                };
            }
        }

        var canary = Read(measured.Canary, "canary");
        if (canary.Value is not { } value)
        {
            return verdict with { Verdict = canary.Verdict, Reason = canary.Reason };
        }

        // Read the stable's value now so that it is shown even when the canary fails on its own.
        var stable = measured.Stable is { } stableMeasurement ? Read(stableMeasurement, "stable") : (Reading?)null;
        verdict = verdict with { Value = value, StableValue = stable?.Value };
        if (metric.Critical is { } critical && !critical.Contains(value))
        {
            return verdict with
            {
                Verdict = Verdict.Fail,
                CriticalBreached = true,
                Reason = $"{Format(value)} is outside the critical range {critical}: roll back at once",
            };
        }

        if (metric.Thresholds is { } thresholds && !thresholds.Contains(value))
        {
            return verdict with { Verdict = Verdict.Fail, Reason = $"{Format(value)} is {Outside(value, thresholds)} (thresholds {thresholds})" };
        }

        var passed = metric.Thresholds is { } t ? $"{Format(value)} is within {t}" : null;
        if (metric.CompareToStable is not { } comparison)
        {
            return verdict with { Verdict = Verdict.Pass, Reason = passed ?? $"{Format(value)} judged by no rule" };
        }

        if (measured.Counts is { } counted)
        {
            return JudgeCounts(verdict, comparison, counted, stageBefore ?? default, earlier ?? [], alpha, unitScale, passed);
        }

        if (measured.StableIdle)
        {
            const string idle = "stable takes no traffic in this stage: the sequential judge compared the versions in the stages before";
            return verdict with { Verdict = Verdict.Pass, Reason = passed is null ? idle : $"{passed}; {idle}" };
        }

        if (stable is not { } stableReading)
        {
            throw new ArgumentException($"metric \"{metric.Name}\" compares with the stable version, but the stable was not measured", nameof(measured));
        }

        if (stableReading.Value is not { } stableValue)
        {
            return verdict with { Verdict = stableReading.Verdict, Reason = $"cannot compare with the stable version: {stableReading.Reason}" };
        }

        var (held, description) = Compare(value, stableValue, comparison);
        var reason = passed is null ? description : $"{passed}; {description}";
        return verdict with { Verdict = held ? Verdict.Pass : Verdict.Fail, Reason = reason };
    }

    /// <summary>The sequential judge on the counts, once the canary's value passed its own limits.</summary>
    private static MetricVerdict JudgeCounts(
        MetricVerdict verdict, StableComparison comparison, CountMeasurements measured, IntervalCounts before, IReadOnlyList<IntervalCounts> earlier, double alpha, double unitScale, string? passed)
    {
        var values = new double[4];
        var parts = new[] { (measured.CanaryEvents, "canary events"), (measured.CanaryRequests, "canary requests"), (measured.StableEvents, "stable events"), (measured.StableRequests, "stable requests") };
        for (var i = 0; i < parts.Length; i++)
        {
            // No series is no counts: a stable that never answered 5xx has no 5xx series to sum.
            var reading = parts[i].Item1 is { Error: null, Samples: [] } ? new Reading(0, Verdict.Pass, "") : Read(parts[i].Item1, parts[i].Item2);
            if (reading.Value is not { } value)
            {
                return verdict with { Verdict = reading.Verdict, Reason = $"cannot compare the counts: {reading.Reason}" };
            }

            // increase() extrapolates to its window's ends and may read a hair below zero: counts are clamped at 0.
            values[i] = Math.Max(0, value);
        }

        var counts = before + new IntervalCounts(values[0], values[1], values[2], values[3]);
        var (judged, reason, evidence) = SequentialJudge.Judge(comparison, counts, earlier, alpha, unitScale);
        return verdict with { Verdict = judged, Reason = passed is null ? reason : $"{passed}; {reason}", Evidence = evidence };
    }

    /// <summary>Whether the canary stays within the comparison's limits, and the numbers that say so.</summary>
    private static (bool Held, string Description) Compare(double canary, double stable, StableComparison comparison)
    {
        var relative = comparison.Mode == ComparisonMode.Relative;
        var unit = relative ? "%" : "";
        double change;
        if (!relative)
        {
            change = canary - stable;
        }
        else if (stable == 0)
        {
            // No finite percentage of zero describes a rise from zero.
            change = canary == 0 ? 0 : double.CopySign(double.PositiveInfinity, canary);
        }
        else
        {
            change = (canary - stable) / Math.Abs(stable) * 100;
        }

        var direction = change >= 0 ? "above" : "below";
        var limit = change >= 0 ? comparison.MaxIncrease : comparison.MaxDecrease;
        var amount = Math.Abs(change);
        var what = double.IsInfinity(amount)
            ? $"{Format(canary)} against a stable value of 0, which no relative limit allows (use mode: absolute)"
            : $"{Format(canary)} is {Format(amount)}{unit} {direction} stable {Format(stable)}";
        if (limit is not { } max)
        {
            return (true, double.IsInfinity(amount) ? $"{Format(canary)} with stable 0" : $"{what} (no limit {direction})");
        }

        var held = amount <= max;
        return (held, $"{what} ({(held ? "limit" : "more than the limit of")} {Format(max)}{unit})");
    }

    private static string Outside(double value, ValueRange range) =>
        range.Min is { } min && value < min ? $"below {Format(min)}" : $"above {Format(range.Max ?? double.NaN)}";

    /// <summary>The single finite value of a measurement, or the verdict and reason that stand instead.</summary>
    private static Reading Read(Measurement measurement, string side)
    {
        if (measurement.Error is { } error)
        {
            return new Reading(null, Verdict.Error, $"the {side} query failed: {error.Message}");
        }

        return measurement.Samples switch
        {
            [] => new Reading(null, Verdict.Inconclusive, $"no data: the {side} query returned an empty result"),
            [{ Value: var v }] when double.IsNaN(v) => new Reading(null, Verdict.Inconclusive, $"no data: the {side} value is NaN (0/0: no requests in the window?)"),
            [{ Value: var v }] when double.IsInfinity(v) => new Reading(null, Verdict.Inconclusive, $"no usable data: the {side} value is {Format(v)}"),
            [{ Value: var v }] => new Reading(v, Verdict.Pass, ""),
            _ => new Reading(null, Verdict.Inconclusive, $"the {side} query returned {measurement.Samples.Count} series; a metric must return one value (aggregate it, e.g. with sum)"),
        };
    }

    internal static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };

    private readonly record struct Reading(double? Value, Verdict Verdict, string Reason);
}
