using System.Net.Http.Headers;
using System.Text;
using CanaryPilot.Core.Notifications;

namespace CanaryPilot.Notifications;

/// <summary>
/// A receiver's answer to one POST, read inside the attempt so that its timeout covers a slow answer
/// too. Transport failures are data; their exception messages (which may name the host) are never kept.
/// </summary>
internal sealed record HttpReply(int? StatusCode, string Detail, string Body)
{
    private const int MaxBodyChars = 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsTransient => StatusCode is null or >= 500 or 429;

    public DeliveryAttempt ToDelivery() => new(IsSuccess, !IsSuccess && IsTransient, Detail);

    public static async Task<HttpReply> PostAsync(HttpClient http, Uri url, HttpContent content, IEnumerable<KeyValuePair<string, string>> headers, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await ReadStartAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return new HttpReply((int)response.StatusCode, $"HTTP {(int)response.StatusCode}", body);
        }
        catch (HttpRequestException e)
        {
            return new HttpReply(null, Describe(e.HttpRequestError), "");
        }
        catch (IOException)
        {
            return new HttpReply(null, "connection lost", "");
        }
    }

    /// <summary>A body of exact bytes (a signature covers them), labelled with <paramref name="mediaType"/> in UTF-8.</summary>
    public static HttpContent Content(ReadOnlyMemory<byte> body, string mediaType)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        return content;
    }

    private static async Task<string> ReadStartAsync(HttpContent content, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new char[MaxBodyChars];
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var read = await reader.ReadBlockAsync(buffer, cancellationToken).ConfigureAwait(false);
            return string.Join(' ', new string(buffer, 0, read).Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        }
    }

    private static string Describe(HttpRequestError error) => error switch
    {
        HttpRequestError.NameResolutionError => "name not resolved",
        HttpRequestError.ConnectionError => "connection failed",
        HttpRequestError.SecureConnectionError => "TLS handshake failed",
        HttpRequestError.ResponseEnded => "connection closed before the answer",
        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => "invalid HTTP answer",
        HttpRequestError.ProxyTunnelError => "proxy failed",
        _ => "transport error",
    };
}
