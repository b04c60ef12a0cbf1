using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// A stand-in for Prometheus on a free loopback port, for the faults a real one will not produce on
/// demand. Each request is recorded, then answered by the handler, which gets its 1-based number.
/// </summary>
public sealed class FakePrometheus : IAsyncDisposable
{
    public const string OneSample = """{"status":"success","data":{"resultType":"vector","result":[{"metric":{"destination_workload":"reviews-v2"},"value":[1700000000.5,"99.5"]}]}}""";

    private readonly WebApplication _app;
    private int _count;

    private FakePrometheus(WebApplication app) => _app = app;

    public required Uri Address { get; init; }

    public int RequestCount => Volatile.Read(ref _count);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakePrometheus> StartAsync(Func<HttpContext, int, Task> handler, X509Certificate2? certificate = null)
    {
        FakePrometheus? fake = null;
        var (app, address) = await Sandbox.LoopbackServer.StartAsync(
            async context =>
            {
                if (fake is null)
                {
                    context.Response.StatusCode = 503;
                    return;
                }

                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                fake.Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
                await handler(context, Interlocked.Increment(ref fake._count));
            },
            configure: kestrel => kestrel.AllowSynchronousIO = false,
            listen: options =>
            {
                if (certificate is not null)
                {
                    options.UseHttps(certificate);
                }
            });
        fake = new FakePrometheus(app) { Address = address };
        return fake;
    }

    public static Task Json(HttpContext context, string body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, string Body);
