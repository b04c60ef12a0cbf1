using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using CanaryPilot.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Testing;

/// <summary>One request a receiver got, recorded as it arrived: the exact body bytes, the headers, and the TCP connection it came on.</summary>
internal sealed record ReceivedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body, string ConnectionId)
{
    public JsonNode Json => JsonNode.Parse(Body)!;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A real HTTP receiver on a free loopback port (shared with the CLI tests): records each request as it arrives, then answers as
/// the test says (by the request's number, from 1); 200 "ok" unless told otherwise.
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private WebApplication _app = null!;

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public int Count => _requests.Count;

    public static async Task<Receiver> StartAsync(Func<int, HttpContext, Task>? respond = null)
    {
        var receiver = new Receiver();
        var seen = 0;
        (receiver._app, receiver.Address) = await LoopbackServer.StartAsync(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            receiver._requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body.ToArray(), context.Connection.Id));
            var number = Interlocked.Increment(ref seen);
            if (respond is null)
            {
                await context.Response.WriteAsync("ok", context.RequestAborted);
            }
            else
            {
                await respond(number, context);
            }
        });
        return receiver;
    }

    public Uri Url(string pathAndQuery) => new(Address, pathAndQuery);

    /// <summary>Answers every request with <paramref name="status"/> and <paramref name="body"/>.</summary>
    public static Func<int, HttpContext, Task> Always(int status, string body = "") => (_, context) =>
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsync(body, context.RequestAborted);
    };

    /// <summary>Never answers until <paramref name="release"/> completes or the caller gives up.</summary>
    public static Func<int, HttpContext, Task> Hang(TaskCompletionSource release) => async (_, context) =>
    {
        try
        {
            await release.Task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await context.Response.WriteAsync("late", CancellationToken.None);
    };

    /// <summary>A loopback URL where nothing listens: connecting is refused at once.</summary>
    public static Uri Dead(string pathAndQuery = "/")
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}{pathAndQuery}");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
