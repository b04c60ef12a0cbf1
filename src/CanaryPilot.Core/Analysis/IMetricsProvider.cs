namespace CanaryPilot.Core.Analysis;

/// <summary>
/// The port to a metrics system: evaluate a rendered query at one instant. Measuring is separate from
/// judging — a provider returns what it saw, and a failure (unreachable, timed out, the query refused) is
/// a <see cref="Measurement"/> with an <see cref="ProviderError"/>, never an exception. Only cancellation
/// by the caller throws.
/// </summary>
public interface IMetricsProvider
{
    /// <summary>Evaluates <paramref name="query"/> as of <paramref name="at"/>.</summary>
    Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken);
}
