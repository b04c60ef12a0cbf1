namespace CanaryPilot.Prometheus;

/// <summary>An answer longer than <see cref="PrometheusClientOptions.MaxResponseBytes"/>; not worth retrying.</summary>
internal sealed class ResponseTooLargeException(int limit) : Exception($"the answer is larger than {limit / 1024} KiB (MaxResponseBytes); narrow the query")
{
}
