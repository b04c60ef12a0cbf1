using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus;

/// <summary>
/// Sends each distinct rendered query to the provider once per evaluation instant: rollouts analysed in
/// the same tick that need the same query (the same template on the same workload and window) share one
/// request and its answer. Answers are kept for <paramref name="retention"/> after their instant.
/// </summary>
/// <remarks>
/// The shared request is not tied to any one caller's cancellation, so one caller giving up does not fail
/// the others; it is bounded by the provider's own timeouts. Each caller still stops waiting when its own
/// token is cancelled.
/// </remarks>
public sealed class DeduplicatingMetricsProvider(IMetricsProvider inner, TimeProvider time, TimeSpan retention) : IMetricsProvider
{
    private readonly ConcurrentDictionary<(string Query, DateTimeOffset At), Lazy<Task<Measurement>>> _answers = new();
    private long _nextSweepTicks;

    public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Evict();
        var answer = _answers.GetOrAdd((query, at), key => new Lazy<Task<Measurement>>(() => inner.MeasureAsync(key.Query, key.At, CancellationToken.None)));
        return answer.Value.WaitAsync(cancellationToken);
    }

    /// <summary>Forgets old answers, sweeping at most a few times per retention so a busy tick does not scan on every call.</summary>
    private void Evict()
    {
        var now = time.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + (retention / 4)).UtcTicks, due) != due)
        {
            return;
        }

        var oldest = now - retention;
        foreach (var key in _answers.Keys.Where(k => k.At < oldest))
        {
            _answers.TryRemove(key, out _);
        }
    }
}
