using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Plans;

/// <summary>One receiver of rollout events: exactly one of <c>slack</c> or <c>webhook</c>.</summary>
public sealed record NotificationSpec
{
    public required string Name { get; init; }

    public SlackSpec? Slack { get; init; }

    public WebhookSpec? Webhook { get; init; }

    /// <summary>The events sent; all of them when empty.</summary>
    public IReadOnlyList<RolloutEventType> Events { get; init; } = [];

    /// <summary>The least severe event sent; <c>info</c> sends everything.</summary>
    public Severity MinSeverity { get; init; } = Severity.Info;
}

public sealed record SlackSpec
{
    /// <summary>The incoming-webhook URL. It is a secret, so it is only ever referenced, never written inline.</summary>
    public required SecretSource WebhookUrl { get; init; }

    /// <summary>Overrides the webhook's default channel.</summary>
    public string? Channel { get; init; }
}

/// <summary>A JSON webhook that receives CloudEvents, signed with HMAC-SHA256.</summary>
public sealed record WebhookSpec
{
    /// <summary>The receiver's URL; use <see cref="UrlFrom"/> instead when the URL holds a token.</summary>
    public string? Url { get; init; }

    public SecretSource? UrlFrom { get; init; }

    /// <summary>The shared secret for the <c>X-CanaryPilot-Signature</c> header.</summary>
    public SecretSource? SigningSecret { get; init; }

    /// <summary>Extra headers, such as Authorization.</summary>
    public IReadOnlyList<HeaderSpec> Headers { get; init; } = [];
}

public sealed record HeaderSpec
{
    public required string Name { get; init; }

    public string? Value { get; init; }

    public SecretSource? ValueFrom { get; init; }
}

/// <summary>Where a secret comes from: exactly one of a Kubernetes Secret key, a file, or an environment variable.</summary>
[ScalarHint("a secret is never written inline (it would end up in logs and resource dumps); reference it with secretKeyRef, file or env")]
public sealed record SecretSource
{
    /// <summary>A key of a Secret in the plan's namespace (in the cluster).</summary>
    public SecretKeyRef? SecretKeyRef { get; init; }

    /// <summary>A file whose content is the value (the CLI).</summary>
    public string? File { get; init; }

    /// <summary>An environment variable holding the value (the CLI).</summary>
    public string? Env { get; init; }
}

public sealed record SecretKeyRef
{
    public required string Name { get; init; }

    public required string Key { get; init; }
}
