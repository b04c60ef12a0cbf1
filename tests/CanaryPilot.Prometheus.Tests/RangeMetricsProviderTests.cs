using System.Net;
using System.Net.Sockets;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// A real Prometheus that starts with 38 minutes of past samples (written with promtool): requests_total
/// for code 200 at 10 a second throughout, for code 503 at one a second only in the first ten minutes.
/// </summary>
public sealed class PastPrometheus : IAsyncLifetime
{
    /// <summary>A whole minute, 40 minutes after the history begins and two after it ends.</summary>
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);

    public DateTimeOffset Begin => End.AddMinutes(-40);

    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        static IEnumerable<(DateTimeOffset, double)> Counter(DateTimeOffset from, DateTimeOffset to, double perSecond)
        {
            for (var t = from; t <= to; t = t.AddSeconds(5))
            {
                yield return (t, (t - from).TotalSeconds * perSecond);
            }
        }

        var history = new PrometheusHistory()
            .Counter("requests_total", new Dictionary<string, string> { ["code"] = "200" }, Counter(Begin, End.AddMinutes(-2), 10))
            .Counter("requests_total", new Dictionary<string, string> { ["code"] = "503" }, Counter(Begin, Begin.AddMinutes(10), 1));
        Server = await PrometheusServer.StartAsync(new PrometheusServerOptions { History = history });
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// The range-backed metrics port against that Prometheus: at every instant of its range it answers as an
/// instant query would, from one range request per query (and chunk of the range); failures are data.
/// </summary>
public sealed class RangeMetricsProviderTests(PastPrometheus prometheus) : IClassFixture<PastPrometheus>
{
    private static readonly string[] Queries =
    [
        "sum by (code) (rate(requests_total[1m]))",   // two series, then one: the 503s stop
        "requests_total",                             // the raw series, with their names
        "sum(rate(requests_total{code=\"404\"}[1m]))", // never any series
        "scalar(sum(requests_total))",                // a scalar
    ];

    private DateTimeOffset Start => prometheus.Begin.AddMinutes(1);

    private DateTimeOffset Finish => prometheus.End;

    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);

    private IEnumerable<DateTimeOffset> Instants()
    {
        for (var at = Start; at <= Finish; at += Step)
        {
            yield return at;
        }
    }

    /// <summary>Counts the range requests a client sends.</summary>
    private sealed class RangeRequests : DelegatingHandler
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/api/v1/query_range", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private PrometheusClient Client(DelegatingHandler? outer = null, Uri? address = null) =>
        PrometheusClient.Create(new PrometheusClientOptions { Address = address ?? prometheus.Server.Address, MaxRetryAttempts = 0 }, TimeProvider.System, outer);

    private static IEnumerable<(string Labels, double Value)> Sorted(Measurement measurement) =>
        measurement.Samples.Select(s => (string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")), s.Value)).Order();

    [Fact]
    public async Task EveryInstant_IsAnsweredAsAnInstantQueryAnswers()
    {
        using var client = Client();
        var range = new RangeMetricsProvider(client, Start, Finish, Step);
        var instant = new PrometheusMetricsProvider(client);

        foreach (var query in Queries)
        {
            foreach (var at in Instants())
            {
                var expected = await instant.MeasureAsync(query, at, CancellationToken.None);
                var actual = await range.MeasureAsync(query, at, CancellationToken.None);

                Assert.Equal((null, query), (actual.Error, actual.Query));
                Assert.Equal(Sorted(expected), Sorted(actual));
            }
        }

        // The data behind the comparison is there: both series early on, only the 200s at the end, nothing for 404.
        Assert.Equal(2, (await range.MeasureAsync(Queries[0], Start.AddMinutes(5), CancellationToken.None)).Samples.Count);
        Assert.Equal(10, Assert.Single((await range.MeasureAsync(Queries[0], Finish.AddMinutes(-5), CancellationToken.None)).Samples).Value, 6);
        Assert.Empty((await range.MeasureAsync(Queries[2], Finish, CancellationToken.None)).Samples);
    }

    [Fact]
    public async Task EachQuery_IsFetchedOncePerChunk_HoweverOftenAndHoweverConcurrentlyItIsAsked()
    {
        var requests = new RangeRequests();
        using var client = Client(requests);
        var chunked = new RangeMetricsProvider(client, Start, Finish, Step, maxPointsPerRequest: 4);
        using var reference = Client();
        var whole = new RangeMetricsProvider(reference, Start, Finish, Step);

        var asked = Instants().SelectMany(at => Queries.Select(query => (query, at))).ToList();
        var answers = await Task.WhenAll(asked.Concat(asked).Select(q => chunked.MeasureAsync(q.query, q.at, CancellationToken.None)));

        var instants = Instants().Count();
        Assert.Equal(Queries.Length * ((instants + 3) / 4), requests.Count);
        for (var i = 0; i < asked.Count; i++)
        {
            var expected = await whole.MeasureAsync(asked[i].query, asked[i].at, CancellationToken.None);
            Assert.Equal(Sorted(expected), Sorted(answers[i]));
        }
    }

    [Fact]
    public async Task MoreInstantsThanPrometheusAnswersInOneRequest_AreFetchedInChunks()
    {
        // 30 minutes every 100ms: 18,001 instants, more than the 11,000 points Prometheus returns per series.
        using var client = Client();
        var range = new RangeMetricsProvider(client, Start, Start.AddMinutes(30), TimeSpan.FromMilliseconds(100));

        var first = await range.MeasureAsync(Queries[0], Start, CancellationToken.None);
        var last = await range.MeasureAsync(Queries[0], Start.AddMinutes(30), CancellationToken.None);

        Assert.Equal((null, 2), (first.Error, first.Samples.Count));
        Assert.Equal((null, 10.0), (last.Error, Math.Round(Assert.Single(last.Samples).Value, 6)));
    }

    [Theory]
    [InlineData("rate(requests_total)")]   // no range: Prometheus refuses it
    [InlineData("requests_total[1m]")]     // a range vector has no value per instant
    public async Task AQueryPrometheusRefuses_IsAnErrorAtEveryInstant(string query)
    {
        using var client = Client();
        var range = new RangeMetricsProvider(client, Start, Finish, Step);

        foreach (var at in Instants())
        {
            var measurement = await range.MeasureAsync(query, at, CancellationToken.None);
            Assert.Equal((ProviderErrorKind.QueryRejected, 0), (measurement.Error?.Kind, measurement.Samples.Count));
        }
    }

    [Fact]
    public async Task AnUnreachableServer_IsAnErrorNotAnException()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closed = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
        listener.Stop();
        using var client = Client(address: closed);

        var measurement = await new RangeMetricsProvider(client, Start, Finish, Step).MeasureAsync(Queries[0], Start, CancellationToken.None);

        Assert.Equal(ProviderErrorKind.Unreachable, measurement.Error?.Kind);
    }

    [Fact]
    public async Task AnInstantOutsideTheRange_IsTheCallersMistake_AndThrows()
    {
        using var client = Client();
        var range = new RangeMetricsProvider(client, Start, Finish, Step);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => range.MeasureAsync(Queries[0], Start.AddSeconds(30), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => range.MeasureAsync(Queries[0], Finish + Step, CancellationToken.None));
    }
}
