using System.Net;
using System.Net.Sockets;
using CanaryPilot.Core.Analysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// Faults a Prometheus or the network between produce — 5xx, 429, slow answers, refused connections,
/// malformed JSON, runaway answers — are retried when retrying can help and reported as a measurement
/// error otherwise; none of them throws. Time is fake: timeouts and the circuit breaker move only when
/// the test advances the clock.
/// </summary>
public sealed class FaultTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(At);

    private PrometheusClient Client(Uri address, Action<PrometheusClientOptions>? configure = null)
    {
        var options = new PrometheusClientOptions { Address = address, MaxRetryAttempts = 2, RetryDelay = TimeSpan.Zero, Timeout = TimeSpan.FromSeconds(5) };
        configure?.Invoke(options);
        return PrometheusClient.Create(options, _time);
    }

    private static Task<Measurement> MeasureAsync(PrometheusClient client) =>
        new PrometheusMetricsProvider(client).MeasureAsync("up", At, CancellationToken.None);

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task TransientStatus_IsRetriedUntilAnAnswer(int status)
    {
        await using var server = await FakePrometheus.StartAsync((context, n) =>
            n < 3 ? FakePrometheus.Json(context, "upstream trouble", status) : FakePrometheus.Json(context, FakePrometheus.OneSample));
        using var client = Client(server.Address);

        var measurement = await MeasureAsync(client);

        Assert.Equal((99.5, 3), (Assert.Single(measurement.Samples).Value, server.RequestCount));
    }

    [Fact]
    public async Task PersistentServerError_IsReportedAfterTheRetries()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) => FakePrometheus.Json(context, "<html>Bad Gateway</html>", 502));
        using var client = Client(server.Address);

        var measurement = await MeasureAsync(client);

        Assert.Equal((ProviderErrorKind.HttpStatus, 3), (measurement.Error!.Kind, server.RequestCount));
    }

    [Fact]
    public async Task PrometheusTimeoutError_IsRetriedThenReportedWithItsErrorType()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) =>
            FakePrometheus.Json(context, """{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}""", 503));
        using var client = Client(server.Address);

        var result = await client.QueryAsync("up", At, CancellationToken.None);

        Assert.Equal((ProviderErrorKind.QueryRejected, "timeout", 3), (result.Error!.Kind, result.ErrorType, server.RequestCount));
    }

    [Fact]
    public async Task BadQuery_IsNotRetried()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) =>
            FakePrometheus.Json(context, """{"status":"error","errorType":"bad_data","error":"1:5: parse error: unclosed left parenthesis"}""", 400));
        using var client = Client(server.Address);

        var result = await client.QueryAsync("sum(", At, CancellationToken.None);

        Assert.Equal((ProviderErrorKind.QueryRejected, "bad_data", 1), (result.Error!.Kind, result.ErrorType, server.RequestCount));
    }

    [Fact]
    public async Task SlowAnswer_TimesOutPerAttempt_ThenIsReported()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var client = Client(server.Address);

        var measuring = MeasureAsync(client);
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            await Eventually.TrueAsync(() => server.RequestCount == attempt, $"attempt {attempt} to reach the server");
            Assert.False(measuring.IsCompleted);
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        var measurement = await measuring;
        Assert.Equal((ProviderErrorKind.Timeout, 3), (measurement.Error!.Kind, server.RequestCount));
    }

    [Fact]
    public async Task SlowBodyAfterHeaders_TimesOutToo()
    {
        await using var server = await FakePrometheus.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"status":"success","data":""", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        });
        using var client = Client(server.Address, o => o.MaxRetryAttempts = 0);

        var measuring = MeasureAsync(client);
        await Eventually.TrueAsync(() => server.RequestCount == 1, "the request to reach the server");
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(ProviderErrorKind.Timeout, (await measuring).Error!.Kind);
    }

    [Fact]
    public async Task ConnectionRefused_IsUnreachable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = Client(new Uri($"http://127.0.0.1:{port}/"));

        var measurement = await MeasureAsync(client);

        Assert.Equal(ProviderErrorKind.Unreachable, measurement.Error!.Kind);
        Assert.False(await client.IsReadyAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,""")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"ninety"]}]}}""")]
    [InlineData("""{"status":"success","data":{"resultType":"histogram","result":[]}}""")]
    [InlineData("""{"status":"success"}""")]
    [InlineData("""[1, 2, 3]""")]
    [InlineData("not json at all")]
    public async Task MalformedAnswer_IsInvalidResponseAndNotRetried(string body)
    {
        await using var server = await FakePrometheus.StartAsync((context, _) => FakePrometheus.Json(context, body));
        using var client = Client(server.Address);

        var measurement = await MeasureAsync(client);

        Assert.Equal((ProviderErrorKind.InvalidResponse, 1), (measurement.Error!.Kind, server.RequestCount));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task HugeAnswer_IsRefusedWithoutReadingItAll(bool announceLength)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)' ');
        await using var server = await FakePrometheus.StartAsync(async (context, _) =>
        {
            if (announceLength)
            {
                context.Response.ContentLength = 64L * chunk.Length;
            }

            for (var i = 0; i < 64 && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        });
        using var client = Client(server.Address, o => o.MaxResponseBytes = 1024 * 1024);

        var measurement = await MeasureAsync(client);

        Assert.Equal((ProviderErrorKind.InvalidResponse, 1), (measurement.Error!.Kind, server.RequestCount));
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_ThenItTriesAgainAfterTheBreak()
    {
        await using var server = await FakePrometheus.StartAsync((context, n) =>
            n <= 2 ? FakePrometheus.Json(context, "down", 503) : FakePrometheus.Json(context, FakePrometheus.OneSample));
        using var client = Client(server.Address, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitMinimumThroughput = 2;
        });

        Assert.Equal(ProviderErrorKind.HttpStatus, (await MeasureAsync(client)).Error!.Kind);
        Assert.Equal(ProviderErrorKind.HttpStatus, (await MeasureAsync(client)).Error!.Kind);
        var whileOpen = await MeasureAsync(client);
        Assert.Equal((ProviderErrorKind.CircuitOpen, 2), (whileOpen.Error!.Kind, server.RequestCount));
        Assert.EndsWith("not asking again for 1s", whileOpen.Error.Message, StringComparison.Ordinal);

        _time.Advance(TimeSpan.FromSeconds(1.1));
        var afterBreak = await MeasureAsync(client);

        Assert.Equal((99.5, 3), (Assert.Single(afterBreak.Samples).Value, server.RequestCount));
    }

    [Fact]
    public async Task AnOpenCircuit_DoublesItsBreakWhileTheServerStaysDown_UpToTheLongest()
    {
        // Found by the fault harness: a 3 s outage held the circuit open for 30 s, longer than a plan's missingData.maxDuration.
        await using var server = await FakePrometheus.StartAsync((context, n) =>
            n <= 5 ? FakePrometheus.Json(context, "down", 503) : FakePrometheus.Json(context, FakePrometheus.OneSample));
        using var client = Client(server.Address, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitMinimumThroughput = 2;
            o.CircuitBreakDuration = TimeSpan.FromSeconds(3);
        });
        await MeasureAsync(client);
        await MeasureAsync(client);

        // Breaks of 1 s, 2 s, then 3 s (the longest, not 4 s): each probe after a break fails until the sixth request.
        foreach (var (seconds, requests) in new[] { (1.1, 3), (2.1, 4), (3.1, 5) })
        {
            _time.Advance(TimeSpan.FromSeconds(seconds - 0.2));
            Assert.Equal((ProviderErrorKind.CircuitOpen, requests - 1), ((await MeasureAsync(client)).Error!.Kind, server.RequestCount));
            _time.Advance(TimeSpan.FromSeconds(0.2));
            Assert.Equal((ProviderErrorKind.HttpStatus, requests), ((await MeasureAsync(client)).Error!.Kind, server.RequestCount));
        }

        _time.Advance(TimeSpan.FromSeconds(3.1));
        Assert.Equal(99.5, Assert.Single((await MeasureAsync(client)).Samples).Value);
    }

    [Fact]
    public async Task Warnings_AreCarriedWithTheAnswer()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) => FakePrometheus.Json(context,
            """{"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]},"warnings":["partial response: store gateway eu-1 unavailable"]}"""));
        using var client = Client(server.Address);

        var measurement = await MeasureAsync(client);

        Assert.Equal(["partial response: store gateway eu-1 unavailable"], measurement.Warnings);
        Assert.Equal(1.0, Assert.Single(measurement.Samples).Value);
    }

    [Fact]
    public async Task CallerCancels_ThrowsOperationCanceled()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) => Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var client = Client(server.Address);
        using var cancel = new CancellationTokenSource();

        var measuring = new PrometheusMetricsProvider(client).MeasureAsync("up", At, cancel.Token);
        await Eventually.TrueAsync(() => server.RequestCount == 1, "the request to reach the server");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => measuring);
    }
}
