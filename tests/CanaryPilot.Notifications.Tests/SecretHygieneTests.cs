using CanaryPilot.Core.Plans;
using CanaryPilot.Notifications.Delivery;

namespace CanaryPilot.Notifications.Tests;

/// <summary>Webhook URLs, signing keys and header values never reach logs, reports or metrics, whatever happens to a delivery.</summary>
public sealed class SecretHygieneTests
{
    private const string SlackToken = "xoxSLACKTOKEN0001";
    private const string UrlToken = "URLTOKEN0002";
    private const string SigningKey = "SIGNINGKEY0003";
    private const string HeaderValue = "Bearer HEADERVALUE0004";
    private const string NotAUrl = "not a url NOTAURL0005";
    private static readonly string[] Secrets = [SlackToken, UrlToken, SigningKey, HeaderValue, "HEADERVALUE0004", "NOTAURL0005"];

    [Fact]
    public async Task Deliveries_DeliveredFailedDeadAndMisconfigured_LeakNoSecret()
    {
        await using var ok = await Receiver.StartAsync();
        await using var failing = await Receiver.StartAsync(Receiver.Always(500, "error for " + UrlToken));
        var logs = new CapturedLogs();
        var secrets = new FakeSecrets
        {
            ["SLACK_OK"] = ok.Url($"/services/T0/B0/{SlackToken}").ToString(),
            ["SLACK_DEAD"] = Receiver.Dead($"/services/T0/B0/{SlackToken}").ToString(),
            ["HOOK_FAILING"] = failing.Url($"/hook?token={UrlToken}").ToString(),
            ["HOOK_BROKEN"] = NotAUrl,
            ["HMAC"] = SigningKey,
            ["AUTH"] = HeaderValue,
        };
        using var senders = new Senders(new NotificationOptions { MaxRetryAttempts = 1, RetryDelay = TimeSpan.Zero }, secrets: secrets, logs: logs.Factory());
        var signed = new WebhookSpec
        {
            UrlFrom = new SecretSource { Env = "HOOK_FAILING" },
            SigningSecret = new SecretSource { Env = "HMAC" },
            Headers = [new HeaderSpec { Name = "Authorization", ValueFrom = new SecretSource { Env = "AUTH" } }],
        };
        NotificationSpec[] notifications =
        [
            TestPlans.Slack("slack-ok", "SLACK_OK"),
            TestPlans.Slack("slack-dead", "SLACK_DEAD"),
            new() { Name = "hook-failing", Webhook = signed },
            new() { Name = "hook-broken", Webhook = signed with { UrlFrom = new SecretSource { Env = "HOOK_BROKEN" } } },
            new() { Name = "hook-bad-header", Webhook = signed with { UrlFrom = new SecretSource { Env = "HOOK_FAILING" }, Headers = [new HeaderSpec { Name = "X-Key", Value = "a\nb" + HeaderValue }] } },
        ];
        var announcer = senders.Announcer();

        await announcer.AnnounceAsync(TestPlans.Plan(notifications), TestPlans.RolledBack(), TestPlans.RollBack, CancellationToken.None);
        await announcer.DisposeAsync();
        var reports = new List<DeliveryReport>();
        foreach (var notification in notifications)
        {
            reports.Add(await senders.Sender.SendAsync(notification, "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None));
        }

        Assert.Equal([null, DeliveryFailure.Unavailable, DeliveryFailure.Unavailable, DeliveryFailure.Misconfigured, DeliveryFailure.Misconfigured], reports.Select(r => r.Failure));
        Assert.Equal(10, logs.Lines.Count);
        var everything = string.Join('\n', [.. logs.Lines, .. reports.Select(r => r.ToString()), await senders.ExportAsync()]);
        Assert.All(Secrets, secret => Assert.DoesNotContain(secret, everything, StringComparison.Ordinal));
        Assert.Contains("webhook.urlFrom: the value is not an absolute http or https URL", everything, StringComparison.Ordinal);
        Assert.Contains("webhook.headers[0]: the value of X-Key holds a line break", everything, StringComparison.Ordinal);
    }
}
