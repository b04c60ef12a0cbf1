using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CanaryPilot.Core.Analysis;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace CanaryPilot.Prometheus;

/// <summary>
/// A small client of the standard Prometheus HTTP API — <c>/api/v1/query</c>, <c>/api/v1/query_range</c>
/// and <c>/-/ready</c> — which is all it uses, so it works unchanged against Thanos, Mimir and
/// VictoriaMetrics. Every failure comes back as a <see cref="QueryResult"/> with an error, never as an
/// exception; only the caller's cancellation throws.
/// </summary>
public sealed class PrometheusClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly PrometheusClientOptions _options;
    private readonly ResiliencePipeline<HttpAnswer> _pipeline;
    private readonly TimeProvider _time;
    private readonly Uri _base;

    /// <summary>A client on <paramref name="http"/>, which it does not dispose; TLS settings are the caller's then.</summary>
    public PrometheusClient(HttpClient http, PrometheusClientOptions options, TimeProvider time)
        : this(http, ownsHttp: false, options, time)
    {
    }

    private PrometheusClient(HttpClient http, bool ownsHttp, PrometheusClientOptions options, TimeProvider time)
    {
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options;
        _time = time;
        _pipeline = PrometheusResilience.Create(options, time);
        var address = options.Address.ToString();
        _base = new Uri(address.EndsWith('/') ? address : address + "/");
    }

    /// <summary>
    /// A client with its own connection pool, configured for TLS from <paramref name="options"/>;
    /// <paramref name="outer"/>, when given, sees every request first (to measure it, say).
    /// </summary>
    public static PrometheusClient Create(PrometheusClientOptions options, TimeProvider time, DelegatingHandler? outer = null)
    {
        HttpMessageHandler handler = PrometheusHttpHandler.Create(options);
        if (outer is not null)
        {
            outer.InnerHandler = handler;
            handler = outer;
        }

        return new(new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }, ownsHttp: true, options, time);
    }

    /// <summary>An instant query evaluated at <paramref name="time"/>.</summary>
    public Task<QueryResult> QueryAsync(string query, DateTimeOffset time, CancellationToken cancellationToken) =>
        SendAsync("api/v1/query", [("query", query), ("time", UnixSeconds(time))], cancellationToken);

    /// <summary>A range query: the value every <paramref name="step"/> from <paramref name="start"/> to <paramref name="end"/>.</summary>
    public Task<QueryResult> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken cancellationToken) =>
        SendAsync(
            "api/v1/query_range",
            [("query", query), ("start", UnixSeconds(start)), ("end", UnixSeconds(end)), ("step", step.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture))],
            cancellationToken);

    /// <summary>Whether the server answers <c>/-/ready</c> with 200 within one attempt's timeout.</summary>
    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = NewRequest(HttpMethod.Get, new Uri(_base, "-/ready"));
            using var response = await _http.SendAsync(request, linked.Token).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<QueryResult> SendAsync(string path, (string Name, string Value)[] parameters, CancellationToken cancellationToken)
    {
        var form = string.Join('&', parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));
        var getUri = new Uri(_base, $"{path}?{form}");
        var post = getUri.AbsoluteUri.Length > _options.MaxGetUrlLength;
        try
        {
            var answer = await _pipeline.ExecuteAsync(
                async token =>
                {
                    using var request = post
                        ? NewRequest(HttpMethod.Post, new Uri(_base, path), new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded"))
                        : NewRequest(HttpMethod.Get, getUri);
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
                    var body = await ReadBodyAsync(response.Content, token).ConfigureAwait(false);
                    return new HttpAnswer(response.StatusCode, body, response.Headers.RetryAfter?.Delta);
                },
                cancellationToken).ConfigureAwait(false);
            return ResponseParser.Parse(answer);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException)
        {
            return QueryResult.Failed(ProviderErrorKind.Timeout, $"no answer within {_options.Timeout.TotalSeconds:0.###}s, {Attempts}");
        }
        catch (BrokenCircuitException e)
        {
            var last = e.InnerException is { } cause ? $" (last: {OneLine(cause)})" : "";
            return QueryResult.Failed(ProviderErrorKind.CircuitOpen, $"{_base.Authority} failed repeatedly{last}; not asking again {(e.RetryAfter is { } after ? $"for {after.TotalSeconds:0.#}s" : "for a while")}");
        }
        catch (HttpRequestException e)
        {
            return QueryResult.Failed(ProviderErrorKind.Unreachable, $"cannot reach {_base.Authority}: {OneLine(e)}, {Attempts}");
        }
        catch (ResponseTooLargeException e)
        {
            return QueryResult.Failed(ProviderErrorKind.InvalidResponse, e.Message);
        }
    }

    private string Attempts => _options.MaxRetryAttempts == 0 ? "no retries" : $"after {_options.MaxRetryAttempts + 1} attempts";

    private HttpRequestMessage NewRequest(HttpMethod method, Uri uri, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.BearerToken is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (_options.Username is { } user)
        {
            var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{_options.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        }

        foreach (var (name, value) in _options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>The body, refusing to read past the limit so that a runaway answer cannot exhaust memory.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (content.Headers.ContentLength > limit)
        {
            throw new ResponseTooLargeException(limit);
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ResponseTooLargeException(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string UnixSeconds(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000m).ToString(CultureInfo.InvariantCulture);

    private static string OneLine(Exception e) => string.Join(": ", new[] { e.Message, e.InnerException?.Message }.OfType<string>().Distinct()).ReplaceLineEndings(" ");
}
