using System.Text.Json.Nodes;
using CanaryPilot.Notifications.Delivery;

namespace CanaryPilot.Notifications.Tests;

/// <summary>What a Slack incoming webhook receives: a Block Kit message people can act on.</summary>
public sealed class SlackNotifierTests
{
    private static async Task<(JsonNode Message, DeliveryReport Report)> SendAsync(Core.Rollouts.Announce announce, Core.Rollouts.RolloutStatus status, string? channel = "#releases")
    {
        await using var slack = await Receiver.StartAsync();
        using var senders = new Senders(secrets: new FakeSecrets { ["SLACK_URL"] = slack.Url("/services/T0/B0/xyz").ToString() });

        var report = await senders.Sender.SendAsync(TestPlans.Slack("team", "SLACK_URL", channel), "bookinfo", TestPlans.Notification(announce, status), CancellationToken.None);

        var request = Assert.Single(slack.Requests);
        Assert.Equal(("POST", "/services/T0/B0/xyz"), (request.Method, request.PathAndQuery));
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        return (request.Json, report);
    }

    private static IEnumerable<JsonNode> Blocks(JsonNode message, string type) => message["blocks"]!.AsArray().Where(b => (string?)b!["type"] == type)!;

    [Fact]
    public async Task SendAsync_StageAdvanced_HeaderFieldsMetricsAndNext()
    {
        var (message, report) = await SendAsync(TestPlans.StageAdvanced, TestPlans.Progressing());

        Assert.True(report.Delivered);
        Assert.Equal("#releases", (string?)message["channel"]);
        var header = Assert.Single(Blocks(message, "header"));
        Assert.Equal(":arrow_forward: bookinfo/reviews: stage advanced", (string?)header["text"]!["text"]);
        Assert.Equal("plain_text", (string?)header["text"]!["type"]);
        var fields = Blocks(message, "section").Single(b => b["fields"] is not null)["fields"]!.AsArray().Select(f => (string?)f!["text"]);
        Assert.Equal(["*Service*\nreviews", "*Namespace*\nbookinfo", "*Stage*\n2 of 4: 25%", "*Weights*\ncanary 25% · stable 75%"], fields);
        var texts = Blocks(message, "section").Select(b => (string?)b["text"]?["text"]).OfType<string>().ToList();
        Assert.Contains("stage 2 of 4: 25%", texts);
        Assert.Contains(
            "*Metrics*\n:white_check_mark: *success-rate* pass: 99.52, threshold &gt;= 99\n:x: *latency-p99* fail: 612.4 (stable 410), threshold &lt;= 500, at most 20% above stable",
            texts);
        var next = (string?)Assert.Single(Blocks(message, "context"))["elements"]![0]!["text"];
        Assert.Equal("*Next:* the analysis checks every 1m; once this stage passes, stage 3 of 4: 50%", next);
        Assert.Equal("bookinfo/reviews: stage advanced: stage 2 of 4: 25%", (string?)message["text"]);
    }

    [Fact]
    public async Task SendAsync_RolledBack_GivesTheReasonAndWhereTrafficIs()
    {
        var (message, _) = await SendAsync(TestPlans.RollBack, TestPlans.RolledBack(), channel: null);

        Assert.Null(message["channel"]);
        Assert.Equal(":rotating_light: bookinfo/reviews: rolled back", (string?)Assert.Single(Blocks(message, "header"))["text"]!["text"]);
        Assert.Contains(Blocks(message, "section"), b => (string?)b["text"]?["text"] == "*Why:* rolled back: all traffic on reviews subset v1. latency-p99: 612.4 is above 500");
        Assert.Contains("*Weights*\ncanary 0% · stable 100%", Blocks(message, "section").SelectMany(b => b["fields"]?.AsArray() ?? []).Select(f => (string?)f!["text"]));
        Assert.Equal("*Next:* all traffic stays on reviews subset v1; fix the canary, then retry the rollout", (string?)Assert.Single(Blocks(message, "context"))["elements"]![0]!["text"]);
    }

    [Fact]
    public async Task SendAsync_SlackRefuses_ReportsItsErrorCodeWithoutRetrying()
    {
        await using var slack = await Receiver.StartAsync(Receiver.Always(404, "channel_not_found"));
        using var senders = new Senders(secrets: new FakeSecrets { ["SLACK_URL"] = slack.Url("/services/T0/B0/xyz").ToString() });

        var report = await senders.Sender.SendAsync(TestPlans.Slack("team", "SLACK_URL"), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((DeliveryFailure.Rejected, 1, "HTTP 404 channel_not_found"), (report.Failure!.Value, report.Attempts, report.Detail));
        Assert.Equal(1, slack.Count);
    }
}
