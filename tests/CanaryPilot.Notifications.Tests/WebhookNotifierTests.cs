using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Notifications.Tests;

/// <summary>What a generic webhook receives: a signed CloudEvents 1.0 event in structured mode.</summary>
public sealed class WebhookNotifierTests
{
    private const string Key = "s3cr3t-shared-key";

    [Fact]
    public async Task SendAsync_PostsACloudEventInStructuredMode()
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders();
        var notification = TestPlans.Notification(TestPlans.RollBack, TestPlans.RolledBack());

        var report = await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/events")), "bookinfo", notification, CancellationToken.None);

        Assert.True(report.Delivered);
        var request = Assert.Single(receiver.Requests);
        Assert.StartsWith("application/cloudevents+json", request.Header("Content-Type"), StringComparison.Ordinal);
        var cloudEvent = request.Json;
        Assert.Equal("1.0", (string?)cloudEvent["specversion"]);
        Assert.Equal("io.canarypilot.rollout.rolledBack", (string?)cloudEvent["type"]);
        Assert.Equal("/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans/reviews", (string?)cloudEvent["source"]);
        Assert.Equal("bookinfo/reviews", (string?)cloudEvent["subject"]);
        Assert.Equal(notification.Id, (string?)cloudEvent["id"]);
        Assert.Equal(TestPlans.Now, DateTimeOffset.Parse((string)cloudEvent["time"]!, CultureInfo.InvariantCulture));
        Assert.Equal("application/json", (string?)cloudEvent["datacontenttype"]);
        var data = cloudEvent["data"]!;
        Assert.Equal(("rolledBack", "error", "RolledBack"), ((string?)data["event"], (string?)data["severity"], (string?)data["reason"]));
        Assert.Equal(notification.Message, (string?)data["message"]);
        Assert.Equal(notification.Next, (string?)data["next"]);
        Assert.Equal(("reviews", "bookinfo", "rolledBack", "analysisFailed"), ((string?)data["rollout"]!["rollout"], (string?)data["rollout"]!["namespace"], (string?)data["rollout"]!["phase"], (string?)data["rollout"]!["cause"]));
        Assert.Equal((0, 100, 4), ((int)data["rollout"]!["canaryWeight"]!, (int)data["rollout"]!["stableWeight"]!, (int)data["rollout"]!["stageCount"]!));
        var latency = data["rollout"]!["metrics"]![1]!;
        Assert.Equal(("latency-p99", "fail", 612.4, 410.0), ((string?)latency["name"], (string?)latency["verdict"], (double)latency["value"]!, (double)latency["stableValue"]!));
        Assert.Contains("\"threshold\":\">= 99\"", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
        Assert.Null(request.Header("X-CanaryPilot-Signature"));
    }

    [Fact]
    public async Task SendAsync_SigningSecret_SignsTheExactBodyBytes()
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders(secrets: new FakeSecrets { ["HMAC_KEY"] = Key });

        await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/events"), new SecretSource { Env = "HMAC_KEY" }), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Key), request.Body));
        Assert.Equal(expected, request.Header("X-CanaryPilot-Signature"));
        Assert.Matches("^sha256=[0-9a-f]{64}$", request.Header("X-CanaryPilot-Signature")!);
    }

    [Fact]
    public async Task SendAsync_ExtraHeaders_ArriveFromValuesAndSecrets()
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders(secrets: new FakeSecrets { ["AUDIT_TOKEN"] = "Bearer abc123" });
        var spec = TestPlans.Webhook("audit", receiver.Url("/events"));
        spec = spec with
        {
            Webhook = spec.Webhook! with
            {
                Headers =
                [
                    new HeaderSpec { Name = "X-Source", Value = "canarypilot" },
                    new HeaderSpec { Name = "Authorization", ValueFrom = new SecretSource { Env = "AUDIT_TOKEN" } },
                ],
            },
        };

        await senders.Sender.SendAsync(spec, "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(("canarypilot", "Bearer abc123"), (request.Header("X-Source"), request.Header("Authorization")));
    }

    [Theory]
    [InlineData("Content-Type", "webhook.headers[0]: Content-Type is set by CanaryPilot and cannot be replaced")]
    [InlineData("x-canarypilot-signature", "webhook.headers[0]: x-canarypilot-signature is set by CanaryPilot and cannot be replaced")]
    public async Task SendAsync_HeaderCanaryPilotSets_IsRefusedAsMisconfigured(string name, string detail)
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders();
        var spec = TestPlans.Webhook("audit", receiver.Url("/events"));
        spec = spec with { Webhook = spec.Webhook! with { Headers = [new HeaderSpec { Name = name, Value = "x" }] } };

        var report = await senders.Sender.SendAsync(spec, "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced), CancellationToken.None);

        Assert.Equal((Delivery.DeliveryFailure.Misconfigured, 0, detail), (report.Failure!.Value, report.Attempts, report.Detail));
        Assert.Equal(0, receiver.Count);
    }

    [Fact]
    public async Task SendAsync_SampleEvent_HasTheTestType()
    {
        await using var receiver = await Receiver.StartAsync();
        using var senders = new Senders();

        await senders.Sender.SendAsync(TestPlans.Webhook("audit", receiver.Url("/events")), "bookinfo", TestPlans.Notification(TestPlans.StageAdvanced) with { IsTest = true }, CancellationToken.None);

        var cloudEvent = Assert.Single(receiver.Requests).Json;
        Assert.Equal("io.canarypilot.rollout.test", (string?)cloudEvent["type"]);
        Assert.True((bool)cloudEvent["data"]!["test"]!);
    }
}
