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

    public Uri Address { get; private set; } = null!;

    public int RequestCount => Volatile.Read(ref _count);

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakePrometheus> StartAsync(Func<HttpContext, int, Task> handler, X509Certificate2? certificate = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AllowSynchronousIO = false;
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakePrometheus(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            fake.Requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body));
            await handler(context, Interlocked.Increment(ref fake._count));
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Address = new Uri(address);
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
