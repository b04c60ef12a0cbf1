using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;

namespace CanaryPilot.Core.Tests.Analysis;

public sealed class GuardedMetricTests
{
    private const string Plan = AnalyzerTests.Service + """
          stages: [{weight: 20}, {weight: 100}]
          analysis:
            interval: 1m
            judge: sequential
            confidence: 0.99
            metrics:
              - {name: errors, template: istio-error-rate-5xx, compareToStable: {maxIncrease: 20}}
              - {name: slow, template: istio-latency-above, args: {bound: "100"}, compareToStable: {maxIncrease: 20}}
              - {name: p99, template: istio-request-duration-p99, thresholds: {max: 500}}
        """;

    private static Sample Series(string ns, string workload, double value) =>
        new(new Dictionary<string, string> { ["destination_workload_namespace"] = ns, ["destination_workload"] = workload }, value);

    /// <summary>One answer for every workload, as the totals query gives it: this plan's two, and another namespace's of the same name.</summary>
    private static Measurement Answer(string query, double canary, double stable) => Measurement.Of(query, [
        Series("bookinfo", "reviews-v2", canary),
        Series("bookinfo", "reviews-v1", stable),
        Series("shop", "reviews-v2", 1e9),
    ]);

    [Fact]
    public void For_WatchesTheSequentialMetricsWhoseTemplateHasTotals_WithOneQueryForEveryRollout()
    {
        var guarded = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn());

        Assert.Equal(["errors", "slow"], guarded.Select(g => g.Metric.Name));
        var errors = guarded[0];
        Assert.DoesNotContain("reviews", errors.Events, StringComparison.Ordinal);
        Assert.Contains("sum by (destination_workload_namespace, destination_workload)", errors.Events, StringComparison.Ordinal);
        Assert.Contains("le=\"100\"", guarded[1].Events, StringComparison.Ordinal);
        Assert.Equal(0.01, errors.Alpha, 12);
    }

    [Fact]
    public void Read_FindsEachSidesSeriesByItsLabels_AndAVersionWithoutEventsHasNone()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var events = Measurement.Of(errors.Events, [Series("bookinfo", "reviews-v2", 7), Series("shop", "reviews-v1", 3)]);

        var totals = errors.Read(events, Answer(errors.Requests, 400, 1_600));

        Assert.Equal(new GuardTotals(7, 400, 0, 1_600), totals);
    }

    [Fact]
    public void Read_AVersionWithoutSeriesHasCountedNothing_AFailedQueryReadsNothing()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var events = Answer(errors.Events, 1, 1);

        Assert.Equal(new GuardTotals(1, 10, 1, 0), errors.Read(events, Measurement.Of(errors.Requests, [Series("bookinfo", "reviews-v2", 10)])));
        Assert.Null(errors.Read(events, Measurement.Failed(errors.Requests, ProviderErrorKind.Unreachable, "down")));
    }

    [Fact]
    public void Judge_AClearlyWorseCanary_Fails_WithTheCountsItRestsOn()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];

        // Since the stage began: the canary 40 errors in 400 requests, stable 8 in 1,600.
        var verdict = errors.Judge(new IntervalCounts(40, 400, 8, 1_600), [])!;

        Assert.Equal(Verdict.Fail, verdict.Verdict);
        Assert.Equal(new IntervalCounts(40, 400, 8, 1_600), verdict.Evidence!.Counts);
        Assert.True(verdict.Evidence.Lower > 1.2);
    }

    [Fact]
    public void Judge_NoRequestsOnASideYet_IsNothingToJudge()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];

        Assert.Null(errors.Judge(new IntervalCounts(0, 0, 2, 400), []));
    }

    [Fact]
    public void Judge_TheEarlierStagesJoinTheTest()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var now = new IntervalCounts(2, 100, 2, 400);

        var alone = errors.Judge(now, [])!;
        var joined = errors.Judge(now, [new IntervalCounts(30, 3_000, 30, 12_000)])!;

        Assert.Equal(Verdict.Inconclusive, alone.Verdict);
        Assert.True(joined.Evidence!.Upper - joined.Evidence.Lower < alone.Evidence!.Upper - alone.Evidence.Lower);
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    private static DateTimeOffset After(int seconds) => Start.AddSeconds(seconds);

    [Fact]
    public void Counts_AreTheDifferencesFromTheBaseline()
    {
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(1));
        Assert.True(counted.TryBaseline(new GuardTotals(10, 10_000, 40, 40_000), After(1)));

        Assert.Equal(new IntervalCounts(40, 400, 8, 1_600), counted.CountsAt(new GuardTotals(50, 10_400, 48, 41_600), After(1)));
        Assert.Equal(new IntervalCounts(41, 500, 9, 2_000), counted.CountsAt(new GuardTotals(51, 10_500, 49, 42_000), After(2)));
    }

    [Fact]
    public void Baseline_WithoutStablesSeries_MovesOnToTheNextRead()
    {
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(1));

        Assert.False(counted.TryBaseline(new GuardTotals(0, 0, 0, 0), After(3)));
        Assert.False(counted.TryBaseline(null, After(4)));

        Assert.Equal((After(4), (GuardTotals?)null), (counted.Since, counted.Baseline));
        Assert.True(counted.TryBaseline(new GuardTotals(0, 0, 1, 900), After(5)));
    }

    [Fact]
    public void ACounterThatWentDown_EndsTheWatchForTheStage_EvenOnceItHasGrownBack()
    {
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(1));
        counted.TryBaseline(new GuardTotals(10, 10_000, 40, 40_000), After(1));
        counted.CountsAt(new GuardTotals(12, 10_100, 41, 40_400), After(1));

        // The canary's pod restarted: its counters start again from nothing, and soon pass the baseline.
        Assert.Null(counted.CountsAt(new GuardTotals(2, 100, 42, 40_800), After(2)));
        Assert.Null(counted.CountsAt(new GuardTotals(30, 10_500, 43, 41_200), After(3)));
        Assert.NotNull(counted.Ended);
    }

    [Fact]
    public void AGapOfMoreThanFiveScrapes_EndsTheWatch_ForAResetCouldHideInIt()
    {
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(1));
        counted.TryBaseline(new GuardTotals(10, 10_000, 40, 40_000), After(1));
        Assert.NotNull(counted.CountsAt(new GuardTotals(11, 10_100, 41, 40_400), After(5)));

        Assert.Null(counted.CountsAt(new GuardTotals(12, 10_900, 44, 44_000), After(11)));
        Assert.NotNull(counted.Ended);
    }

    private const string CriticalPlan = AnalyzerTests.Service + """
          stages: [{weight: 20}, {weight: 100}]
          analysis:
            interval: 1m
            missingData: {minRequestVolume: 50}
            metrics:
              - {name: success, template: istio-success-rate, thresholds: {min: 99}, critical: {min: 90}}
              - {name: errors, template: istio-error-rate-5xx, thresholds: {max: 0.01}}
              - {name: p99, template: istio-request-duration-p99, thresholds: {max: 500}, critical: {max: 2000}}
        """;

    [Fact]
    public void For_WatchesACriticalRange_WhereTheTemplateSaysWhatItsValueIsInItsCounts()
    {
        // errors has no critical range; p99's template has no counts to read its value from.
        var success = Assert.Single(GuardedMetric.For(AnalyzerTests.Valid(CriticalPlan), TemplateCatalog.BuiltIn()));

        Assert.Equal("success", success.Metric.Name);
        Assert.False(success.Sequential);
        Assert.Equal(new GuardedCritical(new CanaryPilot.Core.Plans.ValueRange { Min = 90 }, CountsValue.Complement, 0.01, TimeSpan.FromMinutes(1), 50), success.Critical);
        Assert.Null(success.Judge(new IntervalCounts(90, 100, 0, 400), []));
    }

    [Fact]
    public void Breach_TheCanarysValueOverTheWindow_OutsideTheCriticalRange_RollsBackAtOnce()
    {
        var success = GuardedMetric.For(AnalyzerTests.Valid(CriticalPlan), TemplateCatalog.BuiltIn())[0];
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(10), success.Critical!.Window);
        counted.TryBaseline(new GuardTotals(5, 1_000, 40, 40_000), After(10));

        // 18 of 120 requests failed since: a success rate of 85%, under the critical 90%.
        counted.CountsAt(new GuardTotals(23, 1_120, 41, 40_400), After(10));
        var breach = success.Breach(counted)!;

        Assert.Equal((Verdict.Fail, true, 85.0, 120.0), (breach.Verdict, breach.CriticalBreached, breach.Value!.Value, breach.RequestCount));
    }

    [Fact]
    public void Breach_NeedsThePlansMinimumRequests_AndOnlyTheWindowCounts()
    {
        var success = GuardedMetric.For(AnalyzerTests.Valid(CriticalPlan), TemplateCatalog.BuiltIn())[0];
        var counted = new GuardedCounts(Start, TimeSpan.FromSeconds(10), success.Critical!.Window);
        counted.TryBaseline(new GuardTotals(0, 0, 40, 40_000), After(10));

        // 20 of 40 failed in the first 10 s: half, but 40 requests are fewer than the plan's 50.
        counted.CountsAt(new GuardTotals(20, 40, 41, 40_400), After(10));
        Assert.Null(success.Breach(counted));

        // Then a minute and more of clean traffic: the 20 failures are older than the window.
        for (var second = 20; second <= 80; second += 10)
        {
            counted.CountsAt(new GuardTotals(20, 40 + (second - 10) * 10, 41, 40_400), After(second));
        }

        Assert.Equal(new WindowCounts(0, 600, TimeSpan.FromMinutes(1)), counted.CanaryOverWindow());
        Assert.Null(success.Breach(counted));

        // And one bad scrape in it: 70 of 100 failed in the last 10 s, 70 of 600 over the window — 88.3%.
        counted.CountsAt(new GuardTotals(90, 840, 41, 40_400), After(90));
        Assert.Equal(88.333, success.Breach(counted)!.Value!.Value, 3);
    }
}
