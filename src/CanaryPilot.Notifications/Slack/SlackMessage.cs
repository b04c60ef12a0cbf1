using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Notifications.Slack;

/// <summary>
/// A rollout event as a Slack Block Kit message: a header, the service, namespace, stage and weights,
/// what happened, each metric against its threshold with a pass/fail mark, and what happens next.
/// </summary>
internal static class SlackMessage
{
    // Slack's limits: a header's text, a section's text.
    private const int MaxHeader = 150;
    private const int MaxSection = 3000;

    public static JsonObject Build(RolloutNotification notification, string? channel)
    {
        var rollout = notification.Rollout;
        var title = $"{(notification.IsTest ? "[test] " : "")}{rollout.Namespace}/{rollout.Rollout}: {Words(notification.Type)}";
        var blocks = new JsonArray
        {
            new JsonObject
            {
                ["type"] = "header",
                ["text"] = new JsonObject { ["type"] = "plain_text", ["text"] = Cut($"{Icon(notification.Type)} {title}", MaxHeader), ["emoji"] = true },
            },
            new JsonObject
            {
                ["type"] = "section",
                ["fields"] = new JsonArray
                {
                    Field("Service", rollout.Service),
                    Field("Namespace", rollout.Namespace),
                    Field("Stage", Stage(rollout)),
                    Field("Weights", $"canary {rollout.CanaryWeight}% · stable {rollout.StableWeight}%"),
                },
            },
            Section($"{(notification.Type is RolloutEventType.RolledBack or RolloutEventType.Aborted ? "*Why:* " : "")}{Escape(notification.Message)}"),
        };
        if (rollout.Metrics.Count > 0)
        {
            blocks.Add(Section("*Metrics*\n" + string.Join('\n', rollout.Metrics.Select(Metric))));
        }

        blocks.Add(new JsonObject
        {
            ["type"] = "context",
            ["elements"] = new JsonArray { Markdown($"*Next:* {Escape(notification.Next)}") },
        });
        var message = new JsonObject
        {
            // Shown where blocks cannot be: push notifications, search results.
            ["text"] = $"{title}: {notification.Message}",
            ["blocks"] = blocks,
        };
        if (channel is not null)
        {
            message["channel"] = channel;
        }

        return message;
    }

    /// <summary>A metric's line: its mark, its value (and the stable's), and what it was judged against.</summary>
    public static string Metric(MetricStatus metric)
    {
        var mark = metric.Verdict switch
        {
            "pass" => ":white_check_mark:",
            "fail" => ":x:",
            _ => ":grey_question:",
        };
        var line = new StringBuilder($"{mark} *{Escape(metric.Name)}* {metric.Verdict}: {Number(metric.Value)}");
        if (metric.StableValue is { } stable)
        {
            line.Append(CultureInfo.InvariantCulture, $" (stable {Number(stable)})");
        }

        if (metric.Threshold is { } threshold)
        {
            line.Append(CultureInfo.InvariantCulture, $", threshold {Escape(threshold)}");
        }

        return line.ToString();
    }

    private static string Stage(RolloutSnapshot rollout) => rollout.Stage is { } index
        ? $"{index + 1} of {rollout.StageCount}: {Escape(rollout.StageName ?? "")}"
        : $"{rollout.Phase} ({rollout.StageCount} stages)";

    private static string Number(double? value) => value switch
    {
        null => "no data",
        { } v when double.IsNaN(v) => "no data",
        { } v => v.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string Words(RolloutEventType type) => type switch
    {
        RolloutEventType.Started => "rollout started",
        RolloutEventType.StageAdvanced => "stage advanced",
        RolloutEventType.AnalysisFailed => "analysis failed",
        RolloutEventType.AwaitingApproval => "awaiting approval",
        RolloutEventType.DriftDetected => "drift detected",
        RolloutEventType.TrafficHeld => "traffic held",
        RolloutEventType.WorkloadNotChecked => "workload not checked",
        RolloutEventType.Promoted => "promoted",
        RolloutEventType.RolledBack => "rolled back",
        RolloutEventType.Aborted => "aborted",
        _ => "error",
    };

    private static string Icon(RolloutEventType type) => type switch
    {
        RolloutEventType.Started => ":rocket:",
        RolloutEventType.StageAdvanced => ":arrow_forward:",
        RolloutEventType.AnalysisFailed => ":warning:",
        RolloutEventType.AwaitingApproval => ":hourglass:",
        RolloutEventType.DriftDetected => ":twisted_rightwards_arrows:",
        RolloutEventType.TrafficHeld => ":no_entry:",
        RolloutEventType.WorkloadNotChecked => ":grey_question:",
        RolloutEventType.Promoted => ":white_check_mark:",
        RolloutEventType.RolledBack => ":rotating_light:",
        RolloutEventType.Aborted => ":octagonal_sign:",
        _ => ":x:",
    };

    private static JsonObject Field(string label, string value) => Markdown($"*{label}*\n{Escape(value)}");

    private static JsonObject Section(string text) => new() { ["type"] = "section", ["text"] = Markdown(Cut(text, MaxSection)) };

    private static JsonObject Markdown(string text) => new() { ["type"] = "mrkdwn", ["text"] = text };

    /// <summary>Slack's mrkdwn reads &amp;, &lt; and &gt; as markup; everything from a plan or a status is escaped.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max - 1), "…");
}
