using System.Security.Cryptography;
using System.Text;

namespace CanaryPilot.Tests.Commands;

/// <summary>
/// <c>canarypilot notify-test</c> against real local receivers: one sample event per notifier, one line per
/// delivery, the documented exit codes, and never a URL or secret in what it prints.
/// </summary>
public sealed class NotifyTestCommandTests : IDisposable
{
    private const string SlackToken = "SLACKTOKEN7f3a";
    private const string SigningKey = "SIGNINGKEY91bc";
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-notify-test-");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Plan(string notifications) => Write("plan.yaml", $"{EndToEnd.RolloutTestBed.Plan}\n{notifications}\n");

    private static void AssertNoSecret(CliRun run, params string[] secrets) =>
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, run.Out + run.Error, StringComparison.Ordinal));

    [Fact]
    public async Task NotifyTest_SlackAndSignedWebhookFlags_DeliversASampleToEach_Exit0()
    {
        await using var slack = await Receiver.StartAsync();
        await using var webhook = await Receiver.StartAsync();
        var slackUrl = slack.Url($"/services/T0/B0/{SlackToken}").ToString();

        var run = CliRun.Of("notify-test", "--slack-url", slackUrl, "--webhook-url", webhook.Url("/events").ToString(), "--webhook-secret-file", Write("key", SigningKey + "\n"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            ["--slack-url (slack): delivered (HTTP 200, 1 attempt)", "--webhook-url (webhook): delivered (HTTP 200, 1 attempt)", "2 of 2 notifiers delivered the sample event"],
            run.OutLines);
        Assert.Empty(run.Error);
        AssertNoSecret(run, SlackToken, SigningKey);
        var message = Assert.Single(slack.Requests).Json;
        Assert.Equal(":rocket: [test] default/sample: rollout started", (string?)message["blocks"]![0]!["text"]!["text"]);
        var cloudEvent = Assert.Single(webhook.Requests);
        Assert.Equal("io.canarypilot.rollout.test", (string?)cloudEvent.Json["type"]);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SigningKey), cloudEvent.Body)), cloudEvent.Header("X-CanaryPilot-Signature"));
    }

    [Fact]
    public async Task NotifyTest_PlanNotifications_ReportsEach_Exit1WhenOneIsNotDelivered()
    {
        await using var slack = await Receiver.StartAsync();
        await using var refusing = await Receiver.StartAsync(Receiver.Always(403, "no"));
        var slackUrlFile = Write("slack-url", slack.Url($"/services/T0/B0/{SlackToken}").ToString());
        var deadUrlFile = Write("dead-url", Receiver.Dead($"/hook?token={SlackToken}").ToString());
        var plan = Plan($$$"""
              notifications:
                - name: team
                  slack: {webhookUrl: {file: {{{slackUrlFile}}}}, channel: "#releases"}
                  events: [promoted]
                - name: audit
                  webhook: {url: "{{{refusing.Url("/audit")}}}"}
                - name: pager
                  webhook: {urlFrom: {file: {{{deadUrlFile}}}}}
                - name: missing
                  webhook: {urlFrom: {env: CANARYPILOT_TEST_UNSET_VARIABLE}}
            """);

        var run = CliRun.Of("notify-test", "-f", plan);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            [
                "team (slack): delivered (HTTP 200, 1 attempt)",
                "audit (webhook): not delivered: HTTP 403 after 1 attempt",
                "pager (webhook): not delivered: connection failed after 3 attempts",
                "missing (webhook): not delivered: environment variable CANARYPILOT_TEST_UNSET_VARIABLE is not set",
                "1 of 4 notifiers delivered the sample event",
            ],
            run.OutLines);
        AssertNoSecret(run, SlackToken, "/services/", "/audit");
        Assert.Equal("[test] bookinfo/reviews: rollout started: a test notification from canarypilot notify-test; no rollout is running", (string?)Assert.Single(slack.Requests).Json["text"]);
        Assert.Equal("#releases", (string?)slack.Requests[0].Json["channel"]);
    }

    [Theory]
    [InlineData(new[] { "notify-test" }, "canarypilot: nothing to test: give -f PLAN with spec.notifications, --slack-url URL or --webhook-url URL")]
    [InlineData(new[] { "notify-test", "--slack-url", "hooks.slack.com/services/T0/B0/" + SlackToken }, "canarypilot: --slack-url is not an absolute http or https URL")]
    [InlineData(new[] { "notify-test", "--webhook-url", "ftp://127.0.0.1/" + SlackToken }, "canarypilot: --webhook-url is not an absolute http or https URL")]
    [InlineData(new[] { "notify-test", "--webhook-secret-file", "key" }, "canarypilot: --webhook-secret-file signs the --webhook-url event: give --webhook-url too")]
    public void NotifyTest_InvalidFlags_Exit2_WithoutEchoingTheUrl(string[] args, string error)
    {
        var run = CliRun.Of(args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([error], run.ErrorLines);
        Assert.Empty(run.Out);
        AssertNoSecret(run, SlackToken);
    }

    [Fact]
    public void NotifyTest_SecretFileUnreadable_Exit2_NamingTheFile()
    {
        var missing = Path.Combine(_directory.FullName, "no-such-key");

        var run = CliRun.Of("notify-test", "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret-file", missing);

        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"canarypilot: cannot read secret file {missing}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NotifyTest_PlanWithoutNotifications_Exit2()
    {
        var run = CliRun.Of("notify-test", "-f", Plan(""));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["canarypilot: RolloutPlan bookinfo/reviews has no spec.notifications: add one, or pass --slack-url or --webhook-url"], run.ErrorLines);
    }

    [Fact]
    public void NotifyTest_InvalidPlan_Exit2_WithTheFindingsPosition()
    {
        var plan = Plan("""
              notifications:
                - name: team
                  slack: {webhookUrl: "https://hooks.slack.com/services/T0/B0/inline"}
            """);

        var run = CliRun.Of("notify-test", "-f", plan);

        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.ErrorLines);
        var slackLine = EndToEnd.RolloutTestBed.Plan.Split('\n').Length + 3;
        Assert.StartsWith($"{plan}:{slackLine}:", error, StringComparison.Ordinal);
        Assert.Contains("spec.notifications[0].slack.webhookUrl: a secret is never written inline", error, StringComparison.Ordinal);
        Assert.DoesNotContain("/services/", error, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
