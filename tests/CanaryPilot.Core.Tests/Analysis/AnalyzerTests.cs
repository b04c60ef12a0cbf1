using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Analysis;

public sealed class AnalyzerTests
{
    /// <summary>The reviews service the plans of these tests (and the replay's and the guard's) roll out; each adds its stages and analysis.</summary>
    internal const string Service = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          service:
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2}

        """;

    private const string Plan = Service + """
          stages: [{weight: 50}, {weight: 100}]
          analysis:
            interval: 1m
            missingData: {minRequestVolume: 20}
            metrics:
              - name: success-rate
                template: istio-success-rate
                thresholds: {min: 99}
              - name: latency-p99
                template: istio-request-duration-p99
                thresholds: {max: 500}
                compareToStable: {maxIncrease: 20}
        """;

    private static readonly DateTimeOffset At = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    internal static RolloutPlan Valid(string text)
    {
        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", text), TemplateCatalog.BuiltIn());
        Assert.Empty(report.Diagnostics);
        return Assert.Single(report.ValidPlans);
    }

    /// <summary>Answers each query by the workload and metric it selects, and counts the calls.</summary>
    private sealed class ScriptedProvider(Func<string, Measurement> answer) : IMetricsProvider
    {
        public ConcurrentBag<(string Query, DateTimeOffset At)> Calls { get; } = [];

        public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Calls.Add((query, at));
            return Task.FromResult(answer(query));
        }
    }

    private static Measurement Answer(string query)
    {
        var canary = query.Contains("destination_workload=\"reviews-v2\"", StringComparison.Ordinal);
        double value = query switch
        {
            _ when query.StartsWith("sum(increase(", StringComparison.Ordinal) => 120,
            _ when query.StartsWith("100 * ", StringComparison.Ordinal) => 99.5,
            _ => canary ? 380 : 350,
        };
        return Measurement.Of(query, [Sample.Scalar(value)]);
    }

    [Fact]
    public async Task Analyze_MeasuresCanaryStableAndVolume_AndJudgesEachMetric()
    {
        var provider = new ScriptedProvider(Answer);

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(Plan), At, CancellationToken.None);

        Assert.Equal(Verdict.Pass, result.Verdict);
        Assert.Equal(
            [("success-rate", Verdict.Pass, 99.5, (double?)null, 120.0), ("latency-p99", Verdict.Pass, 380.0, (double?)350, 120.0)],
            result.Metrics.Select(m => (m.Metric.Name, m.Verdict, m.Value!.Value, m.StableValue, m.RequestCount!.Value)));
    }

    [Fact]
    public async Task Analyze_SameQueryNeededTwice_MeasuresItOnceAtTheGivenInstant()
    {
        var provider = new ScriptedProvider(Answer);

        await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(Plan), At, CancellationToken.None);

        // success-rate canary, latency canary and stable, one canary volume query both metrics and the
        // observed traffic share use, and the stable's volume for the share.
        Assert.Equal(5, provider.Calls.Count);
        Assert.Equal(5, provider.Calls.Select(c => c.Query).Distinct().Count());
        Assert.All(provider.Calls, c => Assert.Equal(At, c.At));
    }

    [Fact]
    public async Task Analyze_ProviderDown_EveryMetricIsErrorAndNothingThrows()
    {
        var provider = new ScriptedProvider(q => Measurement.Failed(q, ProviderErrorKind.Unreachable, "connection refused"));

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(Plan), At, CancellationToken.None);

        Assert.Equal(Verdict.Error, result.Verdict);
        Assert.All(result.Metrics, m => Assert.Equal(Verdict.Error, m.Verdict));
    }

    [Fact]
    public async Task Analyze_CarriesTheRenderedQueriesInTheVerdicts()
    {
        var provider = new ScriptedProvider(Answer);

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(Plan), At, CancellationToken.None);

        var latency = result.Metrics[1].Measurements;
        Assert.Equal(
            """histogram_quantile(0.99, sum by (le) (rate(istio_request_duration_milliseconds_bucket{reporter="destination", destination_workload_namespace="bookinfo", destination_workload="reviews-v1"}[1m])))""",
            latency.Stable!.Query);
        Assert.Equal(
            """sum(increase(istio_requests_total{reporter="destination", destination_workload_namespace="bookinfo", destination_workload="reviews-v2"}[1m]))""",
            latency.RequestVolume!.Query);
    }

    private const string SequentialPlan = Service + """
          stages: [{weight: 10}, {weight: 50}]
          promotion: {afterLastStage: true}
          analysis:
            interval: 1m
            judge: sequential
            confidence: 0.99
            missingData: {minRequestVolume: 0}
            metrics:
              - name: errors
                template: istio-error-rate-5xx
                compareToStable: {maxIncrease: 20}
        """;

    /// <summary>Counts since the stage began: the canary's 5xx and requests, and stable's.</summary>
    private static Func<string, Measurement> Counts(double canaryErrors, double canaryRequests, double stableErrors, double stableRequests) => query =>
    {
        var canary = query.Contains("destination_workload=\"reviews-v2\"", StringComparison.Ordinal);
        var errors = query.Contains("response_code=~\"5..\"", StringComparison.Ordinal);
        double value = !query.StartsWith("sum(increase(", StringComparison.Ordinal)
            ? 0.001
            : (canary, errors) switch
            {
                (true, true) => canaryErrors,
                (true, false) => canaryRequests,
                (false, true) => stableErrors,
                (false, false) => stableRequests,
            };
        return Measurement.Of(query, [Sample.Scalar(value)]);
    };

    [Fact]
    public async Task Sequential_CountsSinceTheStageBegan_AndJudgesTheirRatioAgainstTheTolerance()
    {
        var provider = new ScriptedProvider(Counts(60, 5_000, 100, 45_000));

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddSeconds(-754.2));

        var errors = Assert.Single(result.Metrics);
        Assert.Equal(Verdict.Fail, errors.Verdict);
        Assert.Contains(provider.Calls, c => c.Query.Contains("[12m35s]", StringComparison.Ordinal));
        var evidence = errors.Evidence!;
        Assert.Equal((60.0, 5_000.0, 100.0, 45_000.0), (evidence.Counts.CanaryEvents, evidence.Counts.CanaryRequests, evidence.Counts.StableEvents, evidence.Counts.StableRequests));
        Assert.Equal((1.2, 0.99), (evidence.Tolerance, evidence.Confidence));
        Assert.True(evidence.Lower > 1.2, $"lower bound {evidence.Lower}");
        Assert.True(evidence.EValue >= 1 / 0.01, $"e-value {evidence.EValue}");
    }

    [Fact]
    public async Task Sequential_AStageYoungerThanTenScrapes_IsNotTestedYet_EvenOnCountsThatWouldFail()
    {
        var plan = Valid(SequentialPlan);
        var provider = new ScriptedProvider(Counts(60, 5_000, 100, 45_000));
        var young = Analyzer.MinCountWindow(plan) - TimeSpan.FromSeconds(1);

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, At, CancellationToken.None, stageStartedAt: At - young);

        var errors = Assert.Single(result.Metrics);
        Assert.Equal((Verdict.Inconclusive, (SequentialJudge.Evidence?)null), (errors.Verdict, errors.Evidence));
    }

    [Theory]
    [InlineData(5, 5_000, 45, 45_000, Verdict.Inconclusive)]     // 50 errors in all: too few to tell 1× from 1.2×
    [InlineData(200, 50_000, 2_000, 450_000, Verdict.Pass)]      // 2,200 errors at equal rates: not worse than 1.2×
    [InlineData(0, 0, 30, 45_000, Verdict.Inconclusive)]         // the canary took no traffic yet
    public async Task Sequential_HoldsWithoutEvidence_AndPassesWithIt(double canaryErrors, double canaryRequests, double stableErrors, double stableRequests, Verdict expected)
    {
        var provider = new ScriptedProvider(Counts(canaryErrors, canaryRequests, stableErrors, stableRequests));

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-10));

        Assert.Equal(expected, Assert.Single(result.Metrics).Verdict);
    }

    [Fact]
    public async Task Sequential_AStableWithoutAny5xxSeries_CountsZero()
    {
        var counts = Counts(0, 5_000, 0, 45_000);
        var provider = new ScriptedProvider(q => q.Contains("reviews-v1", StringComparison.Ordinal) && q.Contains("5..", StringComparison.Ordinal) ? Measurement.Of(q, []) : counts(q));

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-10));

        var errors = Assert.Single(result.Metrics);
        Assert.Equal((Verdict.Inconclusive, 0.0), (errors.Verdict, errors.Evidence!.Counts.StableEvents));
    }

    [Fact]
    public async Task Sequential_InAStageWhereStableTakesNoTraffic_CountsNothing_AndPassesOnTheValue()
    {
        var provider = new ScriptedProvider(Counts(0, 5_000, 0, 0));

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(
            Valid(SequentialPlan), At, CancellationToken.None, stableBaselines: new Dictionary<string, double>(), stageStartedAt: At.AddMinutes(-10));

        var errors = Assert.Single(result.Metrics);
        Assert.Equal((Verdict.Pass, (SequentialJudge.Evidence?)null), (errors.Verdict, errors.Evidence));
        Assert.DoesNotContain(provider.Calls, c => c.Query.Contains("[10m]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sequential_TheEarlierStagesCountsJoinTheCurrentOnes_InOneTest()
    {
        // This stage alone (10 canary errors in 1,000 requests against 25 in 9,000) says little; with the
        // two stages before it, each with its own share, the canary is clearly worse.
        var provider = new ScriptedProvider(Counts(10, 1_000, 25, 9_000));
        var earlier = new Dictionary<string, IReadOnlyList<IntervalCounts>>
        {
            ["errors"] = [new(15, 1_500, 20, 8_500), new(40, 4_000, 30, 6_000)],
        };
        var analyzer = new Analyzer(provider, TemplateCatalog.BuiltIn());

        var alone = await analyzer.AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-5));
        var together = await analyzer.AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-5), earlier: earlier);

        Assert.Equal(Verdict.Inconclusive, Assert.Single(alone.Metrics).Verdict);
        var errors = Assert.Single(together.Metrics);
        Assert.Equal(Verdict.Fail, errors.Verdict);
        Assert.Contains("over 3 stages, canary 65 of 6,500 requests, stable 75 of 23,500", errors.Reason, StringComparison.Ordinal);
        Assert.Equal(10.0, errors.Evidence!.Counts.CanaryEvents);
    }

    [Fact]
    public async Task Sequential_AStageMeasuredInPieces_IsJudgedOnItsCountsWhole()
    {
        // The last minute's counts, with the stage's nine minutes before it carried: as if counted over ten minutes.
        var pieces = await new Analyzer(new ScriptedProvider(Counts(6, 500, 10, 4_500)), TemplateCatalog.BuiltIn()).AnalyzeAsync(
            Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-1), stageBefore: new Dictionary<string, IntervalCounts> { ["errors"] = new(54, 4_500, 90, 40_500) });
        var whole = await new Analyzer(new ScriptedProvider(Counts(60, 5_000, 100, 45_000)), TemplateCatalog.BuiltIn()).AnalyzeAsync(
            Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-10));

        var errors = Assert.Single(pieces.Metrics);
        Assert.Equal((Verdict.Fail, new IntervalCounts(60, 5_000, 100, 45_000)), (errors.Verdict, errors.Evidence!.Counts));
        Assert.Equal(Assert.Single(whole.Metrics).Evidence, errors.Evidence);
        Assert.EndsWith("[1m]))", errors.Measurements.Counts!.CanaryEvents.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sequential_AWiderPromotionMargin_PassesOnLessEvidence_AndTheRollbackLimitStays()
    {
        // Equal rates, 30 canary errors: too few to show "not worse than 1.2×", enough for "not worse than 2×".
        var provider = new ScriptedProvider(Counts(30, 5_000, 270, 45_000));
        var analyzer = new Analyzer(provider, TemplateCatalog.BuiltIn());
        var margin = Valid(SequentialPlan.Replace("compareToStable: {maxIncrease: 20}", "compareToStable: {maxIncrease: 20, promoteWithin: 100}", StringComparison.Ordinal));

        var strict = await analyzer.AnalyzeAsync(Valid(SequentialPlan), At, CancellationToken.None, stageStartedAt: At.AddMinutes(-10));
        var wide = await analyzer.AnalyzeAsync(margin, At, CancellationToken.None, stageStartedAt: At.AddMinutes(-10));

        Assert.Equal(Verdict.Inconclusive, Assert.Single(strict.Metrics).Verdict);
        var errors = Assert.Single(wide.Metrics);
        Assert.Equal(Verdict.Pass, errors.Verdict);
        Assert.Equal((1.2, 2.0), (errors.Evidence!.Tolerance, errors.Evidence.PromoteBelow));
        Assert.InRange(errors.Evidence.Upper, 1.2, 2.0);
    }
}
