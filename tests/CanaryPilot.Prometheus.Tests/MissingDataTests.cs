using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>No traffic, no series and no Prometheus are never a pass.</summary>
[Collection(RealPrometheusGroup.Name)]
public sealed class MissingDataTests(RealPrometheusFixture prometheus)
{
    private static readonly MetricSpec SuccessRate = new() { Name = "success-rate", Template = "istio-success-rate", Thresholds = new ValueRange { Min = 0 } };

    private Task<AnalysisResult> AnalyzeAsync(IMetricsProvider provider, string canary, int minRequestVolume = 0) =>
        new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(
            Plans.For(RealPrometheusFixture.Namespace, canary, "reviews-v1", minRequestVolume, SuccessRate), prometheus.Settled, CancellationToken.None);

    [Fact]
    public async Task WorkloadWithoutSeries_EmptyVector_IsInconclusive()
    {
        var verdict = Assert.Single((await AnalyzeAsync(prometheus.Provider, "reviews-v3")).Metrics);

        Assert.Equal(Verdict.Inconclusive, verdict.Verdict);
        Assert.Empty(verdict.Measurements.Canary.Samples);
    }

    [Fact]
    public async Task WorkloadWithoutRequests_ZeroOverZeroIsNaN_IsInconclusive()
    {
        var verdict = Assert.Single((await AnalyzeAsync(prometheus.Provider, "ratings-v1")).Metrics);

        Assert.Equal(Verdict.Inconclusive, verdict.Verdict);
        Assert.True(double.IsNaN(Assert.Single(verdict.Measurements.Canary.Samples).Value));
    }

    [Fact]
    public async Task WorkloadWithoutRequests_MinimumTrafficRule_IsInconclusiveWithZeroRequests()
    {
        var verdict = Assert.Single((await AnalyzeAsync(prometheus.Provider, "ratings-v1", minRequestVolume: 1)).Metrics);

        Assert.Equal((Verdict.Inconclusive, 0.0), (verdict.Verdict, verdict.RequestCount));
    }

    [Fact]
    public async Task LatencyOfWorkloadWithoutRequests_IsInconclusive()
    {
        var metric = new MetricSpec { Name = "p99", Template = "istio-request-duration-p99", Thresholds = new ValueRange { Max = 1e9 } };
        var plan = Plans.For(RealPrometheusFixture.Namespace, "ratings-v1", "reviews-v1", 0, metric);

        var result = await new Analyzer(prometheus.Provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);

        Assert.Equal(Verdict.Inconclusive, result.Verdict);
    }

    [Fact]
    public async Task StoppedPrometheus_IsErrorNeverPass()
    {
        await using var server = await PrometheusServer.StartAsync(new PrometheusServerOptions());
        using var client = PrometheusClient.Create(new PrometheusClientOptions { Address = server.Address, MaxRetryAttempts = 1, RetryDelay = TimeSpan.Zero }, TimeProvider.System);
        Assert.True(await client.IsReadyAsync(CancellationToken.None));

        await server.StopAsync();
        var result = await AnalyzeAsync(new PrometheusMetricsProvider(client), "reviews-v2", minRequestVolume: 20);

        Assert.Equal(Verdict.Error, result.Verdict);
        Assert.Equal(ProviderErrorKind.Unreachable, result.Metrics[0].Measurements.Canary.Error!.Kind);
        Assert.False(await client.IsReadyAsync(CancellationToken.None));
    }
}
