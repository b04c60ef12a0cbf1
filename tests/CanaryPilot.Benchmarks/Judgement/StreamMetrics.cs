using System.Globalization;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// Prometheus for the simulation: answers the queries CanaryPilot's built-in Istio templates render
/// (success rate, a latency quantile, request volume), for the canary's or the stable's workload, over
/// the query's range, from the routed traffic — as Prometheus would with a 1 s scrape.
/// </summary>
internal sealed partial class StreamMetrics(RoutedTraffic traffic, DateTimeOffset start, string canaryWorkload) : IMetricsProvider
{
    public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var end = (int)Math.Floor((at - start).TotalSeconds);
        var window = Window().Match(query) is { Success: true } w
            ? int.Parse(w.Groups["n"].Value, CultureInfo.InvariantCulture) * (w.Groups["unit"].Value == "m" ? 60 : 1)
            : throw new InvalidOperationException($"no range in {query}");
        var canary = query.Contains($"destination_workload=\"{canaryWorkload}\"", StringComparison.Ordinal);
        var counts = traffic.Sum(canary, end - window, end);
        double value;
        if (Quantile().Match(query) is { Success: true } q)
        {
            value = counts.Quantile(double.Parse(q.Groups["q"].Value, CultureInfo.InvariantCulture));
        }
        else if (query.Contains("increase(", StringComparison.Ordinal))
        {
            value = counts.Requests;
        }
        else if (query.Contains("response_code!~\"5..\"", StringComparison.Ordinal))
        {
            value = counts.SuccessRate;
        }
        else
        {
            throw new InvalidOperationException($"the simulation does not answer {query}");
        }

        return Task.FromResult(Measurement.Of(query, [Sample.Scalar(value)]));
    }

    [GeneratedRegex(@"\[(?<n>\d+)(?<unit>[sm])\]")]
    private static partial Regex Window();

    [GeneratedRegex(@"histogram_quantile\((?<q>[0-9.]+)")]
    private static partial Regex Quantile();
}
