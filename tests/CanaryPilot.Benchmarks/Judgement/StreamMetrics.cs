using System.Globalization;
using System.Text.RegularExpressions;
using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// Prometheus for the simulation: answers the queries CanaryPilot's built-in Istio templates render
/// (success rate, a latency quantile, request volume, the 5xx and request counts), for the canary's or the stable's workload, over
/// the query's range, from the routed traffic — as Prometheus would with a 1 s scrape.
/// </summary>
internal sealed partial class StreamMetrics(RoutedTraffic traffic, DateTimeOffset start, string canaryWorkload) : IMetricsProvider
{
    public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var end = (int)Math.Floor((at - start).TotalSeconds);
        var window = Window().Match(query) is { Success: true } w
            ? Seconds(w.Groups["h"]) * 3600 + Seconds(w.Groups["m"]) * 60 + Seconds(w.Groups["s"])
            : throw new InvalidOperationException($"no range in {query}");
        var canary = query.Contains($"destination_workload=\"{canaryWorkload}\"", StringComparison.Ordinal);
        var counts = traffic.Sum(canary, end - window, end);
        double value;
        if (Bound().Match(query) is { Success: true } b)
        {
            // Requests slower than the bound: as a share (the instant query) or a count (the sequential judge's).
            var slower = counts.Above(double.Parse(b.Groups["le"].Value, CultureInfo.InvariantCulture));
            value = query.Contains("increase(", StringComparison.Ordinal) ? slower : counts.Requests == 0 ? double.NaN : slower / (double)counts.Requests;
        }
        else if (query.Contains("increase(istio_request_duration_milliseconds_count", StringComparison.Ordinal))
        {
            value = counts.Requests;
        }
        else if (Quantile().Match(query) is { Success: true } q)
        {
            value = counts.Quantile(double.Parse(q.Groups["q"].Value, CultureInfo.InvariantCulture));
        }
        else if (query.Contains("increase(", StringComparison.Ordinal))
        {
            // The request volume, or the sequential judge's counts: 5xx responses, or all requests.
            value = query.Contains("response_code=~\"5..\"", StringComparison.Ordinal) ? counts.Errors : counts.Requests;
        }
        else if (query.Contains("response_code!~\"5..\"", StringComparison.Ordinal))
        {
            value = counts.SuccessRate;
        }
        else if (query.Contains("response_code=~\"5..\"", StringComparison.Ordinal))
        {
            value = counts.Requests == 0 ? double.NaN : counts.Errors / (double)counts.Requests;
        }
        else
        {
            throw new InvalidOperationException($"the simulation does not answer {query}");
        }

        return Task.FromResult(Measurement.Of(query, [Sample.Scalar(value)]));
    }

    private static int Seconds(Group part) => part.Success ? int.Parse(part.Value, CultureInfo.InvariantCulture) : 0;

    /// <summary>A PromQL range as CanaryPilot renders one: <c>[2m]</c>, <c>[12m35s]</c>, <c>[1h5s]</c>.</summary>
    [GeneratedRegex(@"\[(?:(?<h>\d+)h)?(?:(?<m>\d+)m)?(?:(?<s>\d+)s)?\]")]
    private static partial Regex Window();

    [GeneratedRegex(@"le=""(?<le>[0-9.]+)""")]
    private static partial Regex Bound();

    [GeneratedRegex(@"histogram_quantile\((?<q>[0-9.]+)")]
    private static partial Regex Quantile();
}
