using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus;

/// <summary>The metrics-provider port on Prometheus: an instant query, its vector or scalar as samples.</summary>
public sealed class PrometheusMetricsProvider(PrometheusClient client) : IMetricsProvider
{
    public async Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var result = await client.QueryAsync(query, at, cancellationToken).ConfigureAwait(false);
        if (result.Error is { } error)
        {
            return new Measurement { Query = query, Error = error, Warnings = result.Warnings };
        }

        return result.Type switch
        {
            ResultType.Vector or ResultType.Scalar => Measurement.Of(query, [.. result.Series.Select(s => new Sample(s.Labels, s.Points[^1].Value))], result.Warnings),
            _ => Measurement.Failed(query, ProviderErrorKind.QueryRejected, $"the query returns a {(result.Type == ResultType.Matrix ? "range vector" : "string")}; a metric needs an instant value (wrap a range in rate(), increase() or *_over_time())"),
        };
    }
}
