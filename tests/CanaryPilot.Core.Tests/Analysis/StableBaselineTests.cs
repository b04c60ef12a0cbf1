using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Tests.Rollouts;

namespace CanaryPilot.Core.Tests.Analysis;

/// <summary>At a stage that sends all traffic to the canary, comparisons use the stable value measured before.</summary>
public sealed class StableBaselineTests
{
    private sealed class CountingProvider : IMetricsProvider
    {
        public List<string> Queries { get; } = [];

        public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Queries.Add(query);
            var value = query.Contains("increase(", StringComparison.Ordinal) ? 1000 : query.Contains("reviews-v2", StringComparison.Ordinal) ? 110 : 100;
            return Task.FromResult(Measurement.Of(query, [Sample.Scalar(value)]));
        }
    }

    private static readonly Core.Plans.RolloutPlan Plan = MachineDriver.PlanWith().WithComparison();

    [Theory]
    [InlineData(105, Verdict.Pass)]
    [InlineData(100, Verdict.Fail)]
    public async Task Baseline_StandsInForTheStableMeasurement(double baseline, Verdict expected)
    {
        var provider = new CountingProvider();

        var result = await new Analyzer(provider, TemplateCatalog.BuiltIn()).AnalyzeAsync(
            Plan, DateTimeOffset.UnixEpoch, CancellationToken.None, new Dictionary<string, double> { ["latency"] = baseline });

        var latency = Assert.Single(result.Metrics, m => m.Metric.Name == "latency");
        Assert.Equal((expected, 110.0, baseline), (latency.Verdict, latency.Value!.Value, latency.StableValue!.Value));
        Assert.DoesNotContain(provider.Queries, q => q.Contains("reviews-v1", StringComparison.Ordinal) && q.Contains("histogram_quantile", StringComparison.Ordinal));
    }
}
