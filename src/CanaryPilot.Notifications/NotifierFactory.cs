using System.Text;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Notifications.Slack;
using CanaryPilot.Notifications.Webhooks;

namespace CanaryPilot.Notifications;

/// <summary>
/// Builds the notifier a plan's notification describes, reading its secrets when it is needed (so a
/// rotated Secret is picked up). Problems name the field and where the secret was looked for, never a value.
/// </summary>
public sealed class NotifierFactory(ISecretResolver secrets, HttpClient http)
{
    /// <summary>Headers CanaryPilot sets itself; a plan may not replace them.</summary>
    private static readonly string[] Reserved = ["Content-Type", "Content-Length", "Host", WebhookSignature.HeaderName];

    /// <summary>The notifier, or a <see cref="SecretUnavailableException"/> or <see cref="NotifierUnavailableException"/>.</summary>
    public async ValueTask<INotifier> CreateAsync(NotificationSpec spec, string namespaceName, CancellationToken cancellationToken)
    {
        if (spec.Slack is { } slack)
        {
            var webhookUrl = Url(await secrets.ResolveAsync(slack.WebhookUrl, namespaceName, cancellationToken).ConfigureAwait(false), "slack.webhookUrl");
            return new SlackNotifier(http, webhookUrl, slack.Channel);
        }

        var webhook = spec.Webhook ?? throw new NotifierUnavailableException("set exactly one of slack or webhook");
        var url = webhook.UrlFrom is { } urlFrom
            ? Url(await secrets.ResolveAsync(urlFrom, namespaceName, cancellationToken).ConfigureAwait(false), "webhook.urlFrom")
            : Url(webhook.Url ?? "", "webhook.url");
        var key = webhook.SigningSecret is { } signing
            ? Encoding.UTF8.GetBytes(await secrets.ResolveAsync(signing, namespaceName, cancellationToken).ConfigureAwait(false))
            : null;
        var headers = new List<KeyValuePair<string, string>>();
        for (var i = 0; i < webhook.Headers.Count; i++)
        {
            var header = webhook.Headers[i];
            var value = header.ValueFrom is { } from ? await secrets.ResolveAsync(from, namespaceName, cancellationToken).ConfigureAwait(false) : header.Value ?? "";
            headers.Add(new(Header(header.Name, value, $"webhook.headers[{i}]"), value));
        }

        return new WebhookNotifier(http, url, key, headers);
    }

    private static Uri Url(string value, string field) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            ? url
            : throw new NotifierUnavailableException($"{field}: the value is not an absolute http or https URL");

    private static string Header(string name, string value, string field)
    {
        if (Reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            throw new NotifierUnavailableException($"{field}: {name} is set by CanaryPilot and cannot be replaced");
        }

        using var probe = new HttpRequestMessage();
        if (!probe.Headers.TryAddWithoutValidation(name, "x"))
        {
            throw new NotifierUnavailableException($"{field}: \"{name}\" is not a request header name");
        }

        return value.AsSpan().ContainsAny('\r', '\n')
            ? throw new NotifierUnavailableException($"{field}: the value of {name} holds a line break")
            : name;
    }
}
