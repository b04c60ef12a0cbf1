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
    public void Judge_TheDifferencesSinceTheStageBegan_FailsAClearlyWorseCanary()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var since = new GuardTotals(10, 10_000, 40, 40_000);
        // Since then: the canary 40 errors in 400 requests, stable 8 in 1,600.
        var now = new GuardTotals(50, 10_400, 48, 41_600);

        var verdict = errors.Judge(since, now, [])!;

        Assert.Equal(Verdict.Fail, verdict.Verdict);
        Assert.Equal(new IntervalCounts(40, 400, 8, 1_600), verdict.Evidence!.Counts);
        Assert.True(verdict.Evidence.Lower > 1.2);
    }

    [Fact]
    public void Judge_ACounterThatWentDown_OrNoRequestsYet_IsLeftToTheTick()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var since = new GuardTotals(10, 10_000, 40, 40_000);

        Assert.Null(errors.Judge(since, since with { CanaryEvents = 2, CanaryRequests = 10_500 }, []));
        Assert.Null(errors.Judge(since, since with { StableRequests = 40_100 }, []));
    }

    [Fact]
    public void Judge_TheEarlierStagesJoinTheTest()
    {
        var errors = GuardedMetric.For(AnalyzerTests.Valid(Plan), TemplateCatalog.BuiltIn())[0];
        var since = new GuardTotals(0, 0, 0, 0);
        var now = new GuardTotals(2, 100, 2, 400);

        var alone = errors.Judge(since, now, [])!;
        var joined = errors.Judge(since, now, [new IntervalCounts(30, 3_000, 30, 12_000)])!;

        Assert.Equal(Verdict.Inconclusive, alone.Verdict);
        Assert.True(joined.Evidence!.Upper - joined.Evidence.Lower < alone.Evidence!.Upper - alone.Evidence.Lower);
    }
}
