using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// Every shipped template, rendered for the canary and the stable of a plan and measured by a real
/// Prometheus over the exporter's known traffic, gives the value worked out by hand from that traffic.
/// </summary>
[Collection(RealPrometheusGroup.Name)]
public sealed class ShippedTemplateTests(RealPrometheusFixture prometheus)
{
    /// <summary>
    /// Counters are linear in time, so rates are exact up to the few milliseconds between the exporter
    /// computing a value and Prometheus stamping the sample: 1% is ample. Quantiles are interpolated
    /// within a bucket from ratios of such rates, so they get the same relative tolerance.
    /// </summary>
    private const double Tolerance = 0.01;

    public static TheoryData<string, double, double> Expectations() => new()
    {
        // template, canary (reviews-v2), stable (reviews-v1)
        { "istio-success-rate", 95, 99 },                  // 404s count as successes; 5% and 1% are 503s
        { "istio-error-rate-5xx", 0.05, 0.01 },
        { "istio-request-duration-p50", 75, 25 },          // canary: 50 + 50 * (0.5 - 0.4) / (0.6 - 0.4)
        { "istio-request-duration-p95", 416.667, 100 },    // canary: 250 + 250 * (0.95 - 0.9) / (0.975 - 0.9)
        { "istio-request-duration-p99", 800, 250 },        // canary: 500 + 500 * (0.99 - 0.975) / (1 - 0.975)
        { "istio-request-volume", 100, 200 },              // 10 and 20 requests/s over a 10s window
    };

    [Theory]
    [MemberData(nameof(Expectations))]
    public async Task Template_OnKnownTraffic_MeasuresTheExpectedValueForCanaryAndStable(string template, double canary, double stable)
    {
        var metric = Plans.Metric(template, compare: new StableComparison { MaxIncrease = 1000, Mode = ComparisonMode.Absolute });
        var plan = Plans.For(RealPrometheusFixture.Namespace, "reviews-v2", "reviews-v1", 0, metric);

        var result = await new Analyzer(prometheus.Provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);

        var verdict = Assert.Single(result.Metrics);
        Assert.True(verdict.Verdict == Verdict.Pass, verdict.Reason);
        Assert.InRange(verdict.Value!.Value, canary * (1 - Tolerance), canary * (1 + Tolerance));
        Assert.InRange(verdict.StableValue!.Value, stable * (1 - Tolerance), stable * (1 + Tolerance));
    }

    [Fact]
    public async Task MinimumTrafficRule_WithEnoughRequests_JudgesTheMetric()
    {
        var plan = Plans.For(RealPrometheusFixture.Namespace, "reviews-v2", "reviews-v1", 90, Plans.Metric("istio-success-rate", max: 100));

        var result = await new Analyzer(prometheus.Provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);

        var verdict = Assert.Single(result.Metrics);
        Assert.Equal(Verdict.Pass, verdict.Verdict);
        Assert.InRange(verdict.RequestCount!.Value, 99, 101);
    }

    [Fact]
    public async Task MinimumTrafficRule_BelowTheVolume_IsInconclusiveNotPass()
    {
        var plan = Plans.For(RealPrometheusFixture.Namespace, "reviews-v2", "reviews-v1", 150, Plans.Metric("istio-success-rate", max: 100));

        var result = await new Analyzer(prometheus.Provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
    }

    [Fact]
    public async Task Thresholds_OnRealData_FailTheCanaryThatBreaksThem()
    {
        var metric = new MetricSpec { Name = "success", Template = "istio-success-rate", Thresholds = new ValueRange { Min = 99 }, Critical = new ValueRange { Min = 90 } };
        var plan = Plans.For(RealPrometheusFixture.Namespace, "reviews-v2", "reviews-v1", 0, metric);

        var result = await new Analyzer(prometheus.Provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);

        Assert.Equal((Verdict.Fail, false), (result.Verdict, result.CriticalBreached));
    }
}
