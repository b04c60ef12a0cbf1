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
/// counts, judged by the same sequential test as the tick, at the same level — and, for a metric with a
/// critical range, the canary's value over the metric's window, checked against that range.
/// </summary>
/// <param name="Metric">The plan's metric.</param>
/// <param name="Events">The rendered totals query of the events.</param>
/// <param name="Requests">The rendered totals query of all requests.</param>
/// <param name="Labels">The labels that tell workloads apart, in order.</param>
/// <param name="Canary">The canary's series: the values of <paramref name="Labels"/>, joined.</param>
/// <param name="Stable">The stable's series, likewise.</param>
/// <param name="Sequential">The metric is judged by the sequential test; else the guard checks only its critical range.</param>
/// <param name="Alpha">The sequential test's α, the tick's.</param>
/// <param name="UnitScale">One unit of the template's value as a share of requests, for the sequential test's absolute tolerances.</param>
/// <param name="Critical">The metric's critical range as the guard checks it; null when it checks none.</param>
public sealed record GuardedMetric(
    MetricSpec Metric,
    string Events,
    string Requests,
    IReadOnlyList<string> Labels,
    string Canary,
    string Stable,
    bool Sequential,
    double Alpha,
    double UnitScale,
    GuardedCritical? Critical)
{
    /// <summary>
    /// The metrics of <paramref name="plan"/> the guard can watch: sequential ones whose template has totals,
    /// and those with a critical range whose template has totals and says what its value is in them.
    /// </summary>
    public static IReadOnlyList<GuardedMetric> For(RolloutPlan plan, TemplateCatalog templates)
    {
        var guarded = new List<GuardedMetric>();
        var analysis = plan.Spec.Analysis;
        foreach (var metric in analysis.Metrics)
        {
            if (templates.Find(metric.Template, plan) is not { Spec.Counts: { Totals: { } totals } counts } template)
            {
                continue;
            }

            var sequential = MetricQueries.IsSequential(analysis, metric);
            var critical = metric.Critical is { } range && counts.Value is { } value && TemplateCatalog.ShareUnit(template) is { } unit
                ? new GuardedCritical(range, value, unit, QueryVariables.Window(analysis, metric), Math.Max(1, analysis.MissingData.MinRequestVolume))
                : null;
            if (!sequential && critical is null)
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
                metric,
                events,
                requests,
                [.. totals.By.Keys.Order(StringComparer.Ordinal)],
                canarySeries,
                stableSeries,
                sequential,
                Analyzer.SequentialAlpha(plan, metric),
                Analyzer.UnitScale(templates, metric),
                critical));
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
        if (!Sequential || counts.CanaryRequests <= 0 || counts.StableRequests <= 0)
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

    /// <summary>
    /// The canary's value over the metric's window (<see cref="GuardedCounts.CanaryOverWindow"/>) when it is outside
    /// the critical range, with enough requests to say so (the plan's <c>minRequestVolume</c>); else null.
    /// </summary>
    public MetricVerdict? Breach(GuardedCounts counted)
    {
        if (Critical is not { } critical || counted.CanaryOverWindow() is not { } window || window.Requests < critical.MinRequests)
        {
            return null;
        }

        var share = window.Events / window.Requests;
        var value = (critical.Value == CountsValue.Share ? share : 1 - share) / critical.ShareUnit;
        if (critical.Range.Contains(value))
        {
            return null;
        }

        return new MetricVerdict
        {
            Metric = Metric,
            Verdict = Verdict.Fail,
            CriticalBreached = true,
            Value = value,
            RequestCount = window.Requests,
            Reason = $"{MetricJudge.Format(value)} over the last {Common.Duration.Format(window.Span)} ({MetricJudge.Format(window.Events)} of {MetricJudge.Format(window.Requests)} requests) is outside the critical range {critical.Range}: roll back at once",
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

/// <summary>A metric's critical range as the guard checks it, on the canary's counts over the metric's window.</summary>
/// <param name="Range">The range.</param>
/// <param name="Value">What the template's value is in its counts.</param>
/// <param name="ShareUnit">One unit of the value as a share of requests (0.01 for percent).</param>
/// <param name="Window">The metric's window.</param>
/// <param name="MinRequests">The fewest canary requests in the window to judge on.</param>
public sealed record GuardedCritical(ValueRange Range, CountsValue Value, double ShareUnit, TimeSpan Window, int MinRequests);

/// <summary>The canary's counts over a span of the stage, ending at the guard's last read.</summary>
public readonly record struct WindowCounts(double Events, double Requests, TimeSpan Span);

/// <summary>The cumulative counters of both versions at one instant, as the guard reads them.</summary>
public readonly record struct GuardTotals(double CanaryEvents, double CanaryRequests, double StableEvents, double StableRequests);

/// <summary>
/// What the guard keeps of one metric through one stage: the counters when it began, and the last ones
/// read. Differences are trusted only while every counter only grows: a counter that went down (a pod
/// restarted, its series summed with the others) or a gap of more than <see cref="MaxGap"/> scrape
/// intervals between reads (in which a reset could hide behind growth) ends the watch for the stage;
/// the tick's <c>increase()</c>, which handles resets, judges on. It keeps the reads of the last
/// <paramref name="window"/> too, for the canary's value over a metric's window (<see cref="CanaryOverWindow"/>).
/// </summary>
public sealed class GuardedCounts(DateTimeOffset since, TimeSpan step, TimeSpan window = default)
{
    /// <summary>The most scrape intervals between two reads the guard trusts.</summary>
    public const int MaxGap = 5;

    /// <summary>The instant the counts start from: the first shared instant of the stage, later while stable has no series there yet.</summary>
    public DateTimeOffset Since { get; private set; } = since;

    public GuardTotals? Baseline { get; private set; }

    /// <summary>Why the watch ended for this stage; null while it goes on.</summary>
    public string? Ended { get; private set; }

    /// <summary>The reads since the baseline, oldest first; the first is the latest at or before the window's start.</summary>
    private readonly List<(DateTimeOffset At, GuardTotals Totals)> _reads = [];

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

        Baseline = usable;
        _reads.Add((Since, usable));
        return true;
    }

    /// <summary>The counts from the baseline to <paramref name="now"/> read at <paramref name="at"/>, or null when they cannot be trusted (and then, for a reset or a gap, never again this stage).</summary>
    public IntervalCounts? CountsAt(GuardTotals? now, DateTimeOffset at)
    {
        if (Ended is not null || Baseline is not { } baseline || now is not { } read || _reads.Count == 0)
        {
            return null;
        }

        var (lastAt, last) = _reads[^1];
        if (read.CanaryEvents < last.CanaryEvents || read.CanaryRequests < last.CanaryRequests || read.StableEvents < last.StableEvents || read.StableRequests < last.StableRequests)
        {
            Ended = "a counter went down (a restarted pod?)";
            return null;
        }

        if (at - lastAt > MaxGap * step)
        {
            Ended = $"no counters could be read for {Common.Duration.Format(at - lastAt)}";
            return null;
        }

        _reads.Add((at, read));
        while (_reads.Count > 1 && _reads[1].At <= at - window)
        {
            _reads.RemoveAt(0);
        }

        return new IntervalCounts(
            read.CanaryEvents - baseline.CanaryEvents, read.CanaryRequests - baseline.CanaryRequests, read.StableEvents - baseline.StableEvents, read.StableRequests - baseline.StableRequests);
    }

    /// <summary>
    /// The canary's counts over the window: from the latest read at or before its start (the baseline, in a
    /// younger stage) to the last read; null before there are two reads or once the watch ended.
    /// </summary>
    public WindowCounts? CanaryOverWindow()
    {
        if (Ended is not null || _reads.Count < 2)
        {
            return null;
        }

        var ((fromAt, from), (lastAt, last)) = (_reads[0], _reads[^1]);
        return new WindowCounts(last.CanaryEvents - from.CanaryEvents, last.CanaryRequests - from.CanaryRequests, lastAt - fromAt);
    }
}
