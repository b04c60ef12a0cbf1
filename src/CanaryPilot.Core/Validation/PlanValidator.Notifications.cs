using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

public sealed partial class PlanValidator
{
    private void CheckNotifications()
    {
        var notifications = plan.Spec.Notifications;
        for (var i = 0; i < notifications.Count; i++)
        {
            var notification = notifications[i];
            var path = $"spec.notifications[{i}]";
            CheckUnique(notifications.Take(i).Select(n => n.Name), notification.Name, $"{path}.name", "notification");
            if ((notification.Slack is null) == (notification.Webhook is null))
            {
                Error(path, "set exactly one of slack or webhook");
            }

            if (notification.Slack is { } slack)
            {
                CheckSecret(slack.WebhookUrl, $"{path}.slack.webhookUrl");
            }

            if (notification.Webhook is { } webhook)
            {
                CheckWebhook(webhook, $"{path}.webhook");
            }

            var repeated = notification.Events.GroupBy(e => e).FirstOrDefault(g => g.Count() > 1);
            if (repeated is not null)
            {
                Error($"{path}.events", $"event {Binding.ObjectBinder.EnumName(repeated.Key)} is listed twice");
            }
        }
    }

    private void CheckWebhook(WebhookSpec webhook, string path)
    {
        if ((webhook.Url is null) == (webhook.UrlFrom is null))
        {
            Error(path, "set exactly one of url or urlFrom");
        }

        if (webhook.Url is { } url)
        {
            CheckUrl(url, $"{path}.url");
        }

        if (webhook.UrlFrom is { } urlFrom)
        {
            CheckSecret(urlFrom, $"{path}.urlFrom");
        }

        if (webhook.SigningSecret is { } secret)
        {
            CheckSecret(secret, $"{path}.signingSecret");
        }

        CheckHeaders(webhook.Headers, $"{path}.headers");
        for (var i = 0; i < webhook.Headers.Count; i++)
        {
            var name = webhook.Headers[i].Name;
            if (!HeaderName().IsMatch(name))
            {
                Error($"{path}.headers[{i}].name", $"\"{name}\" is not an HTTP header name");
            }
            else if (ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                Error($"{path}.headers[{i}].name", $"{name} is set by CanaryPilot and cannot be replaced");
            }
        }
    }

    /// <summary>Headers of a webhook request that CanaryPilot sets itself.</summary>
    private static readonly string[] ReservedHeaders = ["Content-Type", "Content-Length", "Host", "X-CanaryPilot-Signature"];

    private void CheckHeaders(IReadOnlyList<HeaderSpec> headers, string path)
    {
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if ((header.Value is null) == (header.ValueFrom is null))
            {
                Error($"{path}[{i}]", "set exactly one of value or valueFrom");
            }

            if (header.Value is { } value && value.Any(c => char.IsControl(c) && c != '\t'))
            {
                // A line break would end the header and start one of the value's choosing.
                Error($"{path}[{i}].value", "an HTTP header value cannot hold line breaks or other control characters");
            }

            if (header.ValueFrom is { } valueFrom)
            {
                CheckSecret(valueFrom, $"{path}[{i}].valueFrom");
            }
        }
    }

    private void CheckSecret(SecretSource source, string path)
    {
        var given = (source.SecretKeyRef is null ? 0 : 1) + (source.File is null ? 0 : 1) + (source.Env is null ? 0 : 1);
        if (given != 1)
        {
            Error(path, "set exactly one of secretKeyRef, file or env");
        }

        // The Secret's name becomes a path of a Kubernetes API request: only what Kubernetes accepts as one is taken.
        if (source.SecretKeyRef is { } reference)
        {
            if (!Names.IsDnsSubdomain(reference.Name))
            {
                Error($"{path}.secretKeyRef.name", $"{Names.Quote(reference.Name)} is not a valid Secret name: {Names.DnsSubdomainRule}");
            }

            if (!Names.IsSecretKey(reference.Key))
            {
                Error($"{path}.secretKeyRef.key", $"{Names.Quote(reference.Key)} is not a valid Secret key: {Names.SecretKeyRule}");
            }
        }
    }
}
