using CanaryPilot.Core.Analysis;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>Identical rendered queries for the same instant go to the provider once, however many ask.</summary>
public sealed class DeduplicationTests
{
    private static readonly DateTimeOffset Tick = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Counts calls and answers only when released, so callers really overlap.</summary>
    private sealed class GatedProvider : IMetricsProvider
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public void Release() => _release.TrySetResult();

        public async Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await _release.Task.WaitAsync(cancellationToken);
            return Measurement.Of(query, [Sample.Scalar(42)]);
        }
    }

    [Fact]
    public async Task SameQuerySameTick_ManyCallers_OneCallAndOneAnswerForAll()
    {
        var inner = new GatedProvider();
        var provider = new DeduplicatingMetricsProvider(inner, new FakeTimeProvider(Tick), TimeSpan.FromMinutes(2));

        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(() => provider.MeasureAsync("q", Tick, CancellationToken.None))).ToList();
        await Eventually.TrueAsync(() => inner.Calls == 1, "the first call");
        inner.Release();
        var answers = await Task.WhenAll(callers);

        Assert.Equal(1, inner.Calls);
        Assert.All(answers, a => Assert.Equal(42, Assert.Single(a.Samples).Value));
    }

    [Fact]
    public async Task DifferentQueryOrTick_AreSeparateCalls()
    {
        var inner = new GatedProvider();
        inner.Release();
        var provider = new DeduplicatingMetricsProvider(inner, new FakeTimeProvider(Tick), TimeSpan.FromMinutes(2));

        await provider.MeasureAsync("q", Tick, CancellationToken.None);
        await provider.MeasureAsync("q2", Tick, CancellationToken.None);
        await provider.MeasureAsync("q", Tick.AddSeconds(30), CancellationToken.None);
        await provider.MeasureAsync("q", Tick, CancellationToken.None);

        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public async Task AnswersOlderThanTheRetention_AreForgotten()
    {
        var inner = new GatedProvider();
        inner.Release();
        var time = new FakeTimeProvider(Tick);
        var provider = new DeduplicatingMetricsProvider(inner, time, TimeSpan.FromMinutes(2));
        await provider.MeasureAsync("q", Tick, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(3));
        await provider.MeasureAsync("q", Tick, CancellationToken.None);

        Assert.Equal(2, inner.Calls);
    }

    [Fact]
    public async Task OneCallerCancels_OthersStillGetTheAnswer()
    {
        var inner = new GatedProvider();
        var provider = new DeduplicatingMetricsProvider(inner, new FakeTimeProvider(Tick), TimeSpan.FromMinutes(2));
        using var cancel = new CancellationTokenSource();

        var leaving = provider.MeasureAsync("q", Tick, cancel.Token);
        var staying = provider.MeasureAsync("q", Tick, CancellationToken.None);
        await cancel.CancelAsync();
        inner.Release();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.Equal(42, Assert.Single((await staying).Samples).Value);
    }
}
