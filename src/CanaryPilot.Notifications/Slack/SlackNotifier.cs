using System.Text.Json;
using CanaryPilot.Core.Notifications;

namespace CanaryPilot.Notifications.Slack;

/// <summary>Posts Block Kit messages to a Slack incoming webhook. The URL is the secret: it is used, never shown.</summary>
internal sealed class SlackNotifier(HttpClient http, Uri webhookUrl, string? channel) : INotifier
{
    public string Kind => "slack";

    public async Task<DeliveryAttempt> SendAsync(RolloutNotification notification, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(SlackMessage.Build(notification, channel), NotificationJson.Options);
        var reply = await HttpReply.PostAsync(http, webhookUrl, HttpReply.Content(body, "application/json"), [], cancellationToken).ConfigureAwait(false);

        // Slack explains a refusal in one word (invalid_payload, channel_not_found, no_service): worth keeping.
        return reply is { IsSuccess: false, StatusCode: not null } && IsSlackErrorCode(reply.Body)
            ? reply.ToDelivery() with { Detail = $"{reply.Detail} {reply.Body}" }
            : reply.ToDelivery();
    }

    private static bool IsSlackErrorCode(string body) => body.Length is > 0 and <= 64 && body.All(c => c is (>= 'a' and <= 'z') or '_');
}
