using CanaryPilot.Core.Notifications;

namespace CanaryPilot.Notifications.Webhooks;

/// <summary>
/// Posts each event as a CloudEvent to a JSON webhook, signed when a signing secret is set, with the
/// plan's extra headers. The URL, the key and the header values are used, never shown.
/// </summary>
internal sealed class WebhookNotifier(HttpClient http, Uri url, byte[]? signingKey, IReadOnlyList<KeyValuePair<string, string>> headers) : INotifier
{
    public string Kind => "webhook";

    public async Task<DeliveryAttempt> SendAsync(RolloutNotification notification, CancellationToken cancellationToken)
    {
        var (body, mediaType) = CloudEventBody.Encode(notification);
        IEnumerable<KeyValuePair<string, string>> all = signingKey is null
            ? headers
            : [.. headers, new(WebhookSignature.HeaderName, WebhookSignature.Compute(signingKey, body.Span))];
        var reply = await HttpReply.PostAsync(http, url, HttpReply.Content(body, mediaType), all, cancellationToken).ConfigureAwait(false);
        return reply.ToDelivery();
    }
}
