using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>The HTTP API client against a real Prometheus: each result type, special values, errors, long queries.</summary>
[Collection(RealPrometheusGroup.Name)]
public sealed class ClientApiTests(RealPrometheusFixture prometheus)
{
    private DateTimeOffset Now => prometheus.Settled;

    [Fact]
    public async Task Query_InstantVector_ReturnsEachSeriesWithItsLabels()
    {
        var result = await prometheus.Client.QueryAsync("""istio_requests_total{reporter="destination", destination_workload="reviews-v2", destination_workload_namespace="shop"}""", Now, CancellationToken.None);

        Assert.Equal(ResultType.Vector, result.Type);
        Assert.Equal(["200", "404", "503"], result.Series.Select(s => s.Labels["response_code"]).Order(StringComparer.Ordinal));
        Assert.All(result.Series, s => Assert.Equal(("v2", "reviews.shop.svc.cluster.local"), (s.Labels["destination_version"], s.Labels["destination_service"])));
    }

    [Theory]
    [InlineData("0/0", double.NaN)]
    [InlineData("1/0", double.PositiveInfinity)]
    [InlineData("-1/0", double.NegativeInfinity)]
    [InlineData("0.25 * 4", 1.0)]
    public async Task Query_Scalar_ReadsNumbersNaNAndInfinities(string query, double expected)
    {
        var result = await prometheus.Client.QueryAsync(query, Now, CancellationToken.None);

        Assert.Equal(ResultType.Scalar, result.Type);
        Assert.Equal(expected, Assert.Single(Assert.Single(result.Series).Points).Value);
    }

    [Fact]
    public async Task QueryRange_ReturnsAMatrixWithOnePointPerStep()
    {
        var end = Now;

        // The number of reviews-v1 series (one per response code: 200 and 503) is exact at every step,
        // however late a scrape was; a rate() here would read low whenever one was.
        var result = await prometheus.Client.QueryRangeAsync(
            """count(istio_requests_total{reporter="destination", destination_workload="reviews-v1", destination_workload_namespace="shop"})""",
            end.AddSeconds(-4), end, TimeSpan.FromSeconds(1), CancellationToken.None);

        Assert.Equal(ResultType.Matrix, result.Type);
        var points = Assert.Single(result.Series).Points;
        Assert.Equal(5, points.Count);
        Assert.All(points.Zip(points.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.Time - pair.First.Time));
        Assert.All(points, p => Assert.Equal(2, p.Value));
    }

    [Fact]
    public async Task Measure_RangeVectorQuery_IsAnErrorNotAValue()
    {
        var measurement = await prometheus.Provider.MeasureAsync("""istio_requests_total{destination_workload="reviews-v1"}[5s]""", Now, CancellationToken.None);

        Assert.Equal(ProviderErrorKind.QueryRejected, measurement.Error!.Kind);
    }

    [Fact]
    public async Task Query_SyntaxError_IsRejectedWithPrometheusErrorType()
    {
        var result = await prometheus.Client.QueryAsync("sum(rate(istio_requests_total[1m]", Now, CancellationToken.None);

        Assert.Equal((ProviderErrorKind.QueryRejected, "bad_data"), (result.Error!.Kind, result.ErrorType));
    }

    [Fact]
    public async Task Query_LongerThanAUrlShouldBe_IsPostedAndAnswered()
    {
        var selector = """istio_requests_total{reporter="destination", destination_workload="reviews-v1", destination_workload_namespace="shop"}""";
        var padding = string.Concat(Enumerable.Repeat(" + 0 * sum(vector(1))", 200));
        var query = $"sum(increase({selector}[10s])){padding}";
        Assert.True(query.Length > 4000);

        var result = await prometheus.Client.QueryAsync(query, Now, CancellationToken.None);

        Assert.Null(result.Error);
        Assert.InRange(Assert.Single(result.Series).Points[0].Value, 198, 202);
    }

    [Fact]
    public async Task IsReady_RunningServer_IsTrue()
    {
        Assert.True(await prometheus.Client.IsReadyAsync(CancellationToken.None));
    }
}
