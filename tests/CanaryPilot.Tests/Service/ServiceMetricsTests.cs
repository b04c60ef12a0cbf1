using CanaryPilot.Prometheus;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Testing;
using CanaryPilot.Tests.EndToEnd;

namespace CanaryPilot.Tests.Service;

/// <summary>The service's /metrics, scraped by a real Prometheus: rollouts, calls out, notifications.</summary>
public sealed class ServiceMetricsTests
{
    [Fact]
    public async Task Metrics_AreScrapedByPrometheus_WithTheCanaryPilotPrefix()
    {
        await using var receiver = await Receiver.StartAsync();
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync($"{RolloutTestBed.Plan}\n  notifications: [{{name: audit, webhook: {{url: \"{receiver.Url("/events")}\"}}}}]\n");
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await using var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [new Uri(service.Http.BaseAddress!, "/metrics")] });
        using var client = PrometheusClient.Create(new PrometheusClientOptions { Address = prometheus.Address }, TimeProvider.System);
        var metrics = new PrometheusMetricsProvider(client);

        double? leader = null, weight = null, kubernetesCalls = null, prometheusCalls = null, delivered = null;
        await Eventually.TrueAsync(async () =>
        {
            var now = DateTimeOffset.UtcNow;
            leader = First(await metrics.MeasureAsync("canarypilot_leader", now, CancellationToken.None));
            weight = First(await metrics.MeasureAsync("canarypilot_canary_weight{namespace=\"bookinfo\", rollout=\"reviews\"}", now, CancellationToken.None));
            kubernetesCalls = First(await metrics.MeasureAsync("sum(canarypilot_outbound_request_duration_seconds_count{target=\"kubernetes\", outcome=\"2xx\"})", now, CancellationToken.None));
            prometheusCalls = First(await metrics.MeasureAsync("sum(canarypilot_outbound_request_duration_seconds_count{target=\"prometheus\", outcome=\"2xx\"})", now, CancellationToken.None));
            delivered = First(await metrics.MeasureAsync("sum(canarypilot_notifications_delivered_total)", now, CancellationToken.None));
            return leader == 1 && weight > 0 && kubernetesCalls > 0 && prometheusCalls > 0 && delivered > 0;
        }, "Prometheus to scrape the leader's metrics", TimeSpan.FromSeconds(60));

        Assert.Equal(1, leader);
        Assert.InRange(weight!.Value, 20, 100);
        Assert.True(receiver.Count >= delivered, "no more deliveries counted than the receiver got");
    }

    private static double? First(Core.Analysis.Measurement measurement) => measurement.Samples.Count > 0 ? measurement.Samples[0].Value : null;
}
