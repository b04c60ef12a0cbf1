using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Hosting;

namespace CanaryPilot.Cli;

/// <summary>
/// What <c>canarypilot run</c> shows: a line whenever the rollout moves (stage, weights, each metric
/// against its threshold) and every announcement — as text for people, or one JSON object per line.
/// Colour only when standard output is a terminal.
/// </summary>
internal sealed class RunView(CliConsole console, OutputFormat format, TimeProvider time, bool color) : IRolloutObserver
{
    private readonly Lock _lock = new();
    private string? _last;

    public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        Write(
            $"{announcement.Reason}: {announcement.Message}",
            new JsonObject { ["type"] = "event", ["reason"] = announcement.Reason, ["severity"] = announcement.Severity.ToString().ToLowerInvariant(), ["message"] = announcement.Message });
        return Task.CompletedTask;
    }

    public void Progress(RolloutPlan plan, RolloutStatus status)
    {
        var stages = plan.Spec.EffectiveStages().Count;
        var stage = status.Stage is { } index ? $"stage {index + 1}/{stages} {status.StageName}" : "not started";
        var metrics = string.Join(", ", status.Metrics.Select(m => $"{m.Name} {Value(m.Value)} ({m.Threshold}) {Paint(m.Verdict)}"));
        var text = $"{status.Phase} {stage}: canary {status.CanaryWeight}%, stable {status.StableWeight}%{(metrics.Length > 0 ? $" | {metrics}" : "")}";
        lock (_lock)
        {
            if (text == _last)
            {
                return;
            }

            _last = text;
        }

        Write(text, new JsonObject
        {
            ["type"] = "progress",
            ["phase"] = status.Phase.ToString(),
            ["stage"] = status.Stage,
            ["stageName"] = status.StageName,
            ["canaryWeight"] = status.CanaryWeight,
            ["stableWeight"] = status.StableWeight,
            ["message"] = status.Message,
            ["metrics"] = new JsonArray([.. status.Metrics.Select(m => (JsonNode)new JsonObject
            {
                ["name"] = m.Name,
                ["verdict"] = m.Verdict,
                ["value"] = m.Value is { } v && double.IsFinite(v) ? v : null,
                ["stableValue"] = m.StableValue is { } s && double.IsFinite(s) ? s : null,
                ["threshold"] = m.Threshold,
                ["query"] = m.Query,
            })]),
        });
    }

    public void Note(string text) => Write(text, new JsonObject { ["type"] = "note", ["message"] = text });

    public void Summary(string verdict, int exitCode, RolloutStatus? status, string message) => Write(
        $"{verdict}: {message}",
        new JsonObject { ["type"] = "summary", ["verdict"] = verdict, ["exitCode"] = exitCode, ["phase"] = status?.Phase.ToString(), ["message"] = message });

    private void Write(string text, JsonObject json)
    {
        lock (_lock)
        {
            if (format == OutputFormat.Json)
            {
                json["time"] = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture);
                console.Out.WriteLine(json.ToJsonString(Compact));
            }
            else
            {
                console.Out.WriteLine($"{time.GetLocalNow():HH:mm:ss} {text}");
            }

            console.Out.Flush();
        }
    }

    private string Paint(string verdict) => !color ? verdict : verdict switch
    {
        "pass" => $"\u001b[32m{verdict}\u001b[0m",
        "fail" => $"\u001b[31m{verdict}\u001b[0m",
        _ => $"\u001b[33m{verdict}\u001b[0m",
    };

    private static string Value(double? value) => value is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) : "-";

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
