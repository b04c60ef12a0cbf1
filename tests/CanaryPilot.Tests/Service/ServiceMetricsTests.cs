using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CanaryPilot.Prometheus;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Testing;
using CanaryPilot.Tests.EndToEnd;

namespace CanaryPilot.Tests.Service;

/// <summary>The service's /metrics, scraped by a real Prometheus: rollouts, calls out, notifications.</summary>
public sealed partial class ServiceMetricsTests
{
    private static readonly string[] HistogramSeries = ["_bucket", "_sum", "_count"];

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

        // The Grafana dashboard reads only series the service exports, with queries Prometheus accepts.
        var exported = TypeLine().Matches(await service.Http.GetStringAsync("/metrics"))
            .SelectMany(m => m.Groups["type"].Value == "histogram" ? HistogramSeries.Select(s => m.Groups["name"].Value + s) : [m.Groups["name"].Value])
            .ToHashSet(StringComparer.Ordinal);
        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Repository.Path("deploy", "grafana", "canarypilot-dashboard.json")))!;
        var queries = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => (string)t!["expr"]!).ToList();
        Assert.NotEmpty(queries);
        foreach (var query in queries)
        {
            Assert.All(MetricName().Matches(query).Select(m => m.Value), name => Assert.Contains(name, exported));
            var concrete = query.Replace("$namespace", "bookinfo", StringComparison.Ordinal).Replace("$rollout", "reviews", StringComparison.Ordinal)
                .Replace("$__rate_interval", "1m", StringComparison.Ordinal).Replace("$__range", "5m", StringComparison.Ordinal);
            var answer = await metrics.MeasureAsync(concrete, DateTimeOffset.UtcNow, CancellationToken.None);
            Assert.True(answer.Error is null, $"{query}: {answer.Error}");
        }
    }

    [GeneratedRegex(@"^# TYPE (?<name>canarypilot_\w+) (?<type>\w+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    [GeneratedRegex(@"canarypilot_\w+")]
    private static partial Regex MetricName();

    private static double? First(Core.Analysis.Measurement measurement) => measurement.Samples.Count > 0 ? measurement.Samples[0].Value : null;
}
