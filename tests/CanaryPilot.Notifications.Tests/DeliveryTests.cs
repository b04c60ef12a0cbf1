using CanaryPilot.Core.Plans;
using CanaryPilot.Notifications.Delivery;

namespace CanaryPilot.Notifications.Tests;

/// <summary>Retries through the one delivery pipeline: what is retried, how often, and how giving up is counted.</summary>
public sealed class DeliveryTests
{
    private static readonly NotificationOptions ThreeRetries = new() { MaxRetryAttempts = 3, RetryDelay = TimeSpan.Zero };

    [Fact]
    public async Task SendAsync_5xxThenOk_RetriesTheSameEventUntilDelivered()
    {
        await using var receiver = await Receiver.StartAsync((n, context) => n <= 2 ? Receiver.Always(503)(n, context) : Receiver.Always(200, "ok")(n, context));
        using var senders = new Senders(ThreeRetries);

        var report = await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/")), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((true, 3, "HTTP 200"), (report.Delivered, report.Attempts, report.Detail));
        Assert.Single(receiver.Requests.Select(r => (string?)r.Json["id"]).Distinct());
        Assert.Equal(1, senders.Metrics.Delivered("webhook", RolloutEventType.StageAdvanced));
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(429)]
    public async Task SendAsync_AlwaysTransient_GivesUpAfterTheRetries(int status)
    {
        await using var receiver = await Receiver.StartAsync(Receiver.Always(status));
        using var senders = new Senders(ThreeRetries);

        var report = await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/")), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((DeliveryFailure.Unavailable, 4, $"HTTP {status}"), (report.Failure!.Value, report.Attempts, report.Detail));
        Assert.Equal(4, receiver.Count);
        Assert.Equal(1, senders.Metrics.Failed("webhook", RolloutEventType.StageAdvanced, DeliveryFailure.Unavailable));
        Assert.Equal(0, senders.Metrics.Delivered("webhook", RolloutEventType.StageAdvanced));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public async Task SendAsync_4xx_IsRejectedWithoutRetry(int status)
    {
        await using var receiver = await Receiver.StartAsync(Receiver.Always(status));
        using var senders = new Senders(ThreeRetries);

        var report = await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/")), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((DeliveryFailure.Rejected, 1), (report.Failure!.Value, report.Attempts));
        Assert.Equal(1, receiver.Count);
    }

    [Fact]
    public async Task SendAsync_NothingListening_RetriesThenReportsTheTransportError()
    {
        using var senders = new Senders(ThreeRetries);

        var report = await senders.Sender.SendAsync(TestPlans.Webhook("audit", Receiver.Dead()), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((DeliveryFailure.Unavailable, 4, "connection failed"), (report.Failure!.Value, report.Attempts, report.Detail));
    }

    [Fact]
    public async Task SendAsync_SecretMissing_IsMisconfiguredAndNamesTheSource()
    {
        using var senders = new Senders(ThreeRetries);

        var report = await senders.Sender.SendAsync(TestPlans.Slack("team", "NOT_SET"), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((DeliveryFailure.Misconfigured, 0, "environment variable NOT_SET is not set"), (report.Failure!.Value, report.Attempts, report.Detail));
        Assert.Equal(1, senders.Metrics.Failed("slack", RolloutEventType.StageAdvanced, DeliveryFailure.Misconfigured));
    }

    [Fact]
    public async Task Counters_AreExportedUnderCanaryPilotNotifications()
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders(ThreeRetries);
        await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/")), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        var exported = await senders.ExportAsync();

        Assert.Contains("canarypilot_notifications_delivered_total{notifier=\"webhook\",event=\"stageAdvanced\"} 1", exported, StringComparison.Ordinal);
        Assert.Contains("# TYPE canarypilot_notifications_failed_total counter", exported, StringComparison.Ordinal);
    }
}
