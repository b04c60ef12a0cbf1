using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// One metric as the continuous guard watches it between analysis ticks: the template's cumulative
/// counters for every workload (<see cref="TemplateTotals"/>, the same query for every rollout), and the
/// labels that pick out this plan's canary and stable series. The guard reads the counters at the stage's
/// start and at every scrape since; their differences (<see cref="GuardedCounts"/>) are the stage's
/// counts, judged by the same sequential test as the tick, at the same level.
/// </summary>
/// <param name="Metric">The plan's metric.</param>
/// <param name="Events">The rendered totals query of the events.</param>
/// <param name="Requests">The rendered totals query of all requests.</param>
/// <param name="Labels">The labels that tell workloads apart, in order.</param>
/// <param name="Canary">The canary's series: the values of <paramref name="Labels"/>, joined.</param>
/// <param name="Stable">The stable's series, likewise.</param>
/// <param name="Alpha">The sequential test's α, the tick's.</param>
/// <param name="UnitScale">One unit of the template's value as a share of requests.</param>
public sealed record GuardedMetric(
    MetricSpec Metric, string Events, string Requests, IReadOnlyList<string> Labels, string Canary, string Stable, double Alpha, double UnitScale)
{
    /// <summary>The metrics of <paramref name="plan"/> the guard can watch: sequential ones whose template has totals.</summary>
    public static IReadOnlyList<GuardedMetric> For(RolloutPlan plan, TemplateCatalog templates)
    {
        var guarded = new List<GuardedMetric>();
        foreach (var metric in plan.Spec.Analysis.Metrics.Where(m => MetricQueries.IsSequential(plan.Spec.Analysis, m)))
        {
            if (templates.Find(metric.Template) is not { Spec.Counts.Totals: { } totals } template)
            {
                continue;
            }

            var canary = QueryVariables.For(plan, template, metric.Args, TimeSpan.Zero, MeasuredSide.Canary);
            var stable = QueryVariables.For(plan, template, metric.Args, TimeSpan.Zero, MeasuredSide.Stable);
            var events = QueryRenderer.Render(totals.Events, canary).Query;
            var requests = QueryRenderer.Render(totals.Requests, canary).Query;
            var canarySeries = Series(totals.By, canary);
            var stableSeries = Series(totals.By, stable);
            if (events is null || requests is null || canarySeries is null || stableSeries is null)
            {
                // A side without a value for a label (no workload named, say): nothing to find its series by.
                continue;
            }

            guarded.Add(new GuardedMetric(
                metric, events, requests, [.. totals.By.Keys.Order(StringComparer.Ordinal)], canarySeries, stableSeries, Analyzer.SequentialAlpha(plan, metric), Analyzer.UnitScale(templates, metric)));
        }

        return guarded;
    }

    /// <summary>
    /// Both versions' counters in the measured answers, or null when a query failed. A version without a
    /// series has counted nothing yet: a canary that took no traffic before its stage has no series when it
    /// begins, and one that never answered 5xx has no 5xx series.
    /// </summary>
    public GuardTotals? Read(Measurement events, Measurement requests) =>
        events.Error is not null || requests.Error is not null
            ? null
            : new GuardTotals(Sum(events, Canary) ?? 0, Sum(requests, Canary) ?? 0, Sum(events, Stable) ?? 0, Sum(requests, Stable) ?? 0);

    /// <summary>
    /// The sequential judgement of a stage's <paramref name="counts"/> (from <see cref="GuardedCounts"/>) with the
    /// <paramref name="earlier"/> stages'; null when there is nothing to judge yet: no requests on a side.
    /// </summary>
    public MetricVerdict? Judge(IntervalCounts counts, IReadOnlyList<IntervalCounts> earlier)
    {
        if (counts.CanaryRequests <= 0 || counts.StableRequests <= 0)
        {
            return null;
        }

        var (verdict, reason, evidence) = SequentialJudge.Judge(Metric.CompareToStable!, counts, earlier, Alpha, UnitScale);
        return new MetricVerdict
        {
            Metric = Metric,
            Verdict = verdict,
            Reason = reason,
            Evidence = evidence,
            Measurements = new MetricMeasurements(Measurement.Of(Events, [])),
        };
    }

    /// <summary>The key of a side's series: the values of the <c>by</c> labels, in the labels' order.</summary>
    private static string? Series(IReadOnlyDictionary<string, string> by, IReadOnlyDictionary<string, string?> values)
    {
        var parts = new List<string>(by.Count);
        foreach (var (_, variable) in by.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            if (values.GetValueOrDefault(variable) is not { } value)
            {
                return null;
            }

            parts.Add(value);
        }

        return string.Join(Separator, parts);
    }

    /// <summary>The sum of the finite samples of one series; null when there are none.</summary>
    private double? Sum(Measurement measurement, string key)
    {
        var byLabels = Indexes.GetValue(measurement, _ => new ConcurrentDictionary<string, Dictionary<string, double>>(StringComparer.Ordinal));
        var sums = byLabels.GetOrAdd(string.Join(Separator, Labels), _ => Index(measurement, Labels));
        return sums.TryGetValue(key, out var sum) ? sum : null;
    }

    private const char Separator = '\u0001';

    /// <summary>Every rollout reads the same answers: each is indexed by series once, for each set of labels.</summary>
    private static readonly ConditionalWeakTable<Measurement, ConcurrentDictionary<string, Dictionary<string, double>>> Indexes = [];

    private static Dictionary<string, double> Index(Measurement measurement, IReadOnlyList<string> labels)
    {
        var sums = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var sample in measurement.Samples.Where(s => double.IsFinite(s.Value)))
        {
            var key = string.Join(Separator, labels.Select(l => sample.Labels.GetValueOrDefault(l) ?? ""));
            sums[key] = sums.GetValueOrDefault(key) + sample.Value;
        }

        return sums;
    }
}

/// <summary>The cumulative counters of both versions at one instant, as the guard reads them.</summary>
public readonly record struct GuardTotals(double CanaryEvents, double CanaryRequests, double StableEvents, double StableRequests);

/// <summary>
/// What the guard keeps of one metric through one stage: the counters when it began, and the last ones
/// read. Differences are trusted only while every counter only grows: a counter that went down (a pod
/// restarted, its series summed with the others) or a gap of more than <see cref="MaxGap"/> scrape
/// intervals between reads (in which a reset could hide behind growth) ends the watch for the stage;
/// the tick's <c>increase()</c>, which handles resets, judges on.
/// </summary>
public sealed class GuardedCounts(DateTimeOffset since, TimeSpan step)
{
    /// <summary>The most scrape intervals between two reads the guard trusts.</summary>
    public const int MaxGap = 5;

    /// <summary>The instant the counts start from: the first shared instant of the stage, later while stable has no series there yet.</summary>
    public DateTimeOffset Since { get; private set; } = since;

    public GuardTotals? Baseline { get; private set; }

    /// <summary>Why the watch ended for this stage; null while it goes on.</summary>
    public string? Ended { get; private set; }

    private GuardTotals? _last;
    private DateTimeOffset _lastAt;

    /// <summary>
    /// Takes the counters read at <see cref="Since"/> as the baseline. Stable took traffic before any stage,
    /// so without its series there (Prometheus had not scraped it yet) the baseline moves on to
    /// <paramref name="next"/>, the instant of the next read; false until there is one.
    /// </summary>
    public bool TryBaseline(GuardTotals? totals, DateTimeOffset next)
    {
        if (totals is not { StableRequests: > 0 } usable)
        {
            Since = next;
            return false;
        }

        Baseline = _last = usable;
        _lastAt = Since;
        return true;
    }

    /// <summary>The counts from the baseline to <paramref name="now"/> read at <paramref name="at"/>, or null when they cannot be trusted (and then, for a reset or a gap, never again this stage).</summary>
    public IntervalCounts? CountsAt(GuardTotals? now, DateTimeOffset at)
    {
        if (Ended is not null || Baseline is not { } baseline || now is not { } read || _last is not { } last)
        {
            return null;
        }

        if (read.CanaryEvents < last.CanaryEvents || read.CanaryRequests < last.CanaryRequests || read.StableEvents < last.StableEvents || read.StableRequests < last.StableRequests)
        {
            Ended = "a counter went down (a restarted pod?)";
            return null;
        }

        if (at - _lastAt > MaxGap * step)
        {
            Ended = $"no counters could be read for {Common.Duration.Format(at - _lastAt)}";
            return null;
        }

        (_last, _lastAt) = (read, at);
        return new IntervalCounts(
            read.CanaryEvents - baseline.CanaryEvents, read.CanaryRequests - baseline.CanaryRequests, read.StableEvents - baseline.StableEvents, read.StableRequests - baseline.StableRequests);
    }
}
