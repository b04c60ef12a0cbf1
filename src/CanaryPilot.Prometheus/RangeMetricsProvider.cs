using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus;

/// <summary>
/// The metrics-provider port over a past range, for replays: it answers for the instants <c>start</c>, then
/// every <c>step</c> up to <c>end</c>. Each distinct query is fetched once, with range queries
/// (<c>/api/v1/query_range</c>) over the whole range in requests of at most <c>maxPointsPerRequest</c>
/// instants (Prometheus returns at most 11,000 points per series); each instant is then answered from that,
/// with every series' value at it — the samples an instant query at that instant returns. A series without
/// a value there is left out, so an instant without any gives the empty result an instant query gives. A
/// request that failed gives its instants its error.
/// </summary>
/// <remarks>
/// A fetch is shared by every caller of its query and not tied to any one caller's cancellation; each
/// caller stops waiting when its own token is cancelled. Answers are kept for the provider's lifetime.
/// </remarks>
public sealed class RangeMetricsProvider : IMetricsProvider
{
    /// <summary>The most points per series Prometheus returns for one range query.</summary>
    public const int PrometheusMaxPoints = 11_000;

    private readonly PrometheusClient _client;
    private readonly DateTimeOffset _start;
    private readonly TimeSpan _step;
    private readonly int _instants;
    private readonly int _maxPointsPerRequest;
    private readonly ConcurrentDictionary<string, Lazy<Task<Answer>>> _answers = new(StringComparer.Ordinal);

    public RangeMetricsProvider(PrometheusClient client, DateTimeOffset start, DateTimeOffset end, TimeSpan step, int maxPointsPerRequest = PrometheusMaxPoints)
    {
        if (step < TimeSpan.FromMilliseconds(1) || step.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "the step is a whole number of milliseconds, at least one");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPointsPerRequest, 1);
        _client = client;
        _start = Milliseconds(start);
        _step = step;
        _instants = (int)Math.Min(int.MaxValue, ((end - start).Ticks / step.Ticks) + 1);
        _maxPointsPerRequest = maxPointsPerRequest;
    }

    /// <summary>
    /// The value of <paramref name="query"/> at <paramref name="at"/>, which must be one of the range's
    /// instants: any other instant is a mistake of the caller's and throws <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    public async Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var index = IndexOf(at);
        var answer = await _answers.GetOrAdd(query, q => new Lazy<Task<Answer>>(() => FetchAsync(q))).Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        var chunk = answer.Chunks[index / _maxPointsPerRequest];
        if (chunk.Error is { } error)
        {
            return new Measurement { Query = query, Error = error, Warnings = chunk.Warnings };
        }

        var key = Milliseconds(at).ToUnixTimeMilliseconds();
        var samples = chunk.Series
            .Select(s => s.Values.TryGetValue(key, out var value) ? new Sample(s.Labels, value) : null)
            .OfType<Sample>()
            .ToList();
        return Measurement.Of(query, samples, chunk.Warnings);
    }

    private int IndexOf(DateTimeOffset at)
    {
        var offset = Milliseconds(at) - _start;
        if (offset < TimeSpan.Zero || offset.Ticks % _step.Ticks != 0 || offset.Ticks / _step.Ticks >= _instants)
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"not one of the range's instants: {_start:O} every {_step} for {_instants}");
        }

        return (int)(offset.Ticks / _step.Ticks);
    }

    /// <summary>Every chunk of the range, one after the other, so that one long replay does not flood the server.</summary>
    private async Task<Answer> FetchAsync(string query)
    {
        var chunks = new List<Chunk>();
        for (var first = 0; first < _instants; first += _maxPointsPerRequest)
        {
            var last = Math.Min(_instants, first + _maxPointsPerRequest) - 1;
            var result = await _client.QueryRangeAsync(query, _start + (first * _step), _start + (last * _step), _step, CancellationToken.None).ConfigureAwait(false);
            chunks.Add(ChunkOf(result));
        }

        return new Answer(chunks);
    }

    private static Chunk ChunkOf(QueryResult result)
    {
        if (result.Error is { } error)
        {
            return new Chunk([], error, result.Warnings);
        }

        if (result.Type != ResultType.Matrix)
        {
            return new Chunk([], new ProviderError(ProviderErrorKind.InvalidResponse, $"a range query answered with a {result.Type.ToString().ToLowerInvariant()}, not a matrix"), result.Warnings);
        }

        var series = result.Series
            .Select(s => new SeriesValues(s.Labels, s.Points.GroupBy(p => p.Time.ToUnixTimeMilliseconds()).ToDictionary(g => g.Key, g => g.Last().Value)))
            .ToList();
        return new Chunk(series, null, result.Warnings);
    }

    /// <summary>Prometheus evaluates range queries on whole milliseconds.</summary>
    private static DateTimeOffset Milliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    private sealed record Answer(IReadOnlyList<Chunk> Chunks);

    private sealed record Chunk(IReadOnlyList<SeriesValues> Series, ProviderError? Error, IReadOnlyList<string> Warnings);

    private sealed record SeriesValues(IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<long, double> Values);
}
