using CanaryPilot.Prometheus;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Tests.EndToEnd;

namespace CanaryPilot.Tests.Service;

/// <summary>The service's /metrics, scraped by a real Prometheus.</summary>
public sealed class ServiceMetricsTests
{
    [Fact]
    public async Task Metrics_AreScrapedByPrometheus_WithTheCanaryPilotPrefix()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync();
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [new Uri(service.Http.BaseAddress!, "/metrics")] });
        using var client = PrometheusClient.Create(new PrometheusClientOptions { Address = prometheus.Address }, TimeProvider.System);
        var metrics = new PrometheusMetricsProvider(client);

        double? leader = null, weight = null;
        await Eventually.TrueAsync(async () =>
        {
            var now = DateTimeOffset.UtcNow;
            leader = First(await metrics.MeasureAsync("canarypilot_leader", now, CancellationToken.None));
            weight = First(await metrics.MeasureAsync("canarypilot_canary_weight{namespace=\"bookinfo\", rollout=\"reviews\"}", now, CancellationToken.None));
            return leader == 1 && weight > 0;
        }, "Prometheus to scrape the leader's metrics", TimeSpan.FromSeconds(60));

        Assert.Equal(1, leader);
        Assert.InRange(weight!.Value, 20, 100);
    }

    private static double? First(Core.Analysis.Measurement measurement) => measurement.Samples.Count > 0 ? measurement.Samples[0].Value : null;
}
