using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.Prometheus;

/// <summary>What <see cref="PrometheusFaultProxy"/> does to the queries it passes on.</summary>
public enum PrometheusFault
{
    /// <summary>Passes every request through as it is.</summary>
    None,

    /// <summary>Drops the connection without an answer, as a Prometheus that is down or unreachable does.</summary>
    Down,

    /// <summary>Answers every sample as NaN (a division by zero, a counter reset).</summary>
    NaN,

    /// <summary>Answers every query with no series (a label that matches nothing, a scrape that stopped).</summary>
    Empty,

    /// <summary>Answers after <see cref="PrometheusFaultProxy.Delay"/>, slower than a client's timeout.</summary>
    Slow,
}

/// <summary>
/// A loopback HTTP proxy in front of a real Prometheus that turns faults on and off while a client queries it
/// through the proxy's address: the answers are Prometheus's own, changed only as the fault says.
/// </summary>
public sealed class PrometheusFaultProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private volatile PrometheusFault _fault;

    private PrometheusFaultProxy(WebApplication app, HttpClient upstream, Uri address)
    {
        _app = app;
        _upstream = upstream;
        Address = address;
    }

    /// <summary>The proxy's base URL, to give the client instead of Prometheus's.</summary>
    public Uri Address { get; }

    /// <summary>The fault in force; <see cref="PrometheusFault.None"/> passes everything through.</summary>
    public PrometheusFault Fault
    {
        get => _fault;
        set => _fault = value;
    }

    /// <summary>How long a <see cref="PrometheusFault.Slow"/> answer takes.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(2);

    public static async Task<PrometheusFaultProxy> StartAsync(Uri prometheus, CancellationToken cancellationToken = default)
    {
        var upstream = new HttpClient { BaseAddress = prometheus };
        try
        {
            PrometheusFaultProxy? proxy = null;
            var (app, address) = await LoopbackServer.StartAsync(context => proxy!.HandleAsync(context), cancellationToken: cancellationToken).ConfigureAwait(false);
            proxy = new PrometheusFaultProxy(app, upstream, address);
            return proxy;
        }
        catch
        {
            upstream.Dispose();
            throw;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var fault = _fault;
        if (fault == PrometheusFault.Down)
        {
            context.Abort();
            return;
        }

        if (fault == PrometheusFault.Slow)
        {
            await Task.Delay(Delay, context.RequestAborted).ConfigureAwait(false);
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
        if (context.Request.ContentLength > 0 || context.Request.HasFormContentType)
        {
            request.Content = new StreamContent(context.Request.Body);
            if (context.Request.ContentType is { } type)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        using var response = await _upstream.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await context.Response.WriteAsync(fault is PrometheusFault.NaN or PrometheusFault.Empty ? Rewrite(body, fault) : body, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>An answer of the Prometheus HTTP API with every sample made NaN, or with no series.</summary>
    private static string Rewrite(string body, PrometheusFault fault)
    {
        JsonNode? answer;
        try
        {
            answer = JsonNode.Parse(body);
        }
        catch (System.Text.Json.JsonException)
        {
            return body; // not an answer of the API (an error page): passed on as it is
        }

        if (answer?["data"] is not JsonObject data || data["result"] is not JsonArray result)
        {
            return body;
        }

        if ((string?)data["resultType"] == "scalar")
        {
            if (fault == PrometheusFault.NaN && result.Count == 2)
            {
                result[1] = "NaN";
            }

            return answer.ToJsonString();
        }

        if (fault == PrometheusFault.Empty)
        {
            data["result"] = new JsonArray();
            return answer.ToJsonString();
        }

        foreach (var series in result.OfType<JsonObject>())
        {
            if (series["value"] is JsonArray { Count: 2 } value)
            {
                value[1] = "NaN";
            }

            foreach (var sample in (series["values"] as JsonArray)?.OfType<JsonArray>() ?? [])
            {
                sample[1] = "NaN";
            }
        }

        return answer.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _upstream.Dispose();
    }
}
