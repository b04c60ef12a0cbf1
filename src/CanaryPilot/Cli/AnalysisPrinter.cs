using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Cli;

/// <summary>Prints an analysis: for each metric its verdict and why, the value(s), the rules and the rendered queries.</summary>
internal static class AnalysisPrinter
{
    private const string Indent = "  ";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void WriteText(TextWriter writer, AnalysisResult result, RolloutPlan plan, Uri prometheus)
    {
        var minVolume = plan.Spec.Analysis.MissingData.MinRequestVolume;
        foreach (var metric in result.Metrics)
        {
            var spec = metric.Metric;
            var m = metric.Measurements;
            writer.WriteLine($"{spec.Name}: {Name(metric.Verdict)}{(metric.CriticalBreached ? " (critical)" : "")}");
            Field(writer, "why", metric.Reason);
            Field(writer, "value", Value(metric.Value, m.Canary));
            Field(writer, "rules", Rules(spec));
            Field(writer, "query", m.Canary.Query);
            if (m.Stable is { } stable)
            {
                Field(writer, "stable", Value(metric.StableValue, stable));
                Field(writer, "stable query", stable.Query);
            }

            if (m.RequestVolume is { } volume)
            {
                Field(writer, "requests", $"{Value(metric.RequestCount, volume)} in {Core.Common.Duration.Format(QueryVariables.Window(plan.Spec.Analysis, spec))} (at least {minVolume} to judge)");
                Field(writer, "requests query", volume.Query);
            }

            foreach (var warning in new[] { m.Canary, m.Stable, m.RequestVolume }.OfType<Measurement>().SelectMany(x => x.Warnings).Distinct(StringComparer.Ordinal))
            {
                Field(writer, "warning", warning);
            }
        }

        var counts = result.Metrics.GroupBy(m => m.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}");
        writer.WriteLine($"verdict: {Name(result.Verdict)} ({string.Join(", ", counts)}) from {prometheus} at {result.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}");
    }

    public static void WriteJson(TextWriter writer, AnalysisResult result, RolloutPlan plan, Uri prometheus)
    {
        var minVolume = plan.Spec.Analysis.MissingData.MinRequestVolume;
        var metrics = result.Metrics.Select(metric =>
        {
            var m = metric.Measurements;
            return new JsonMetric(
                metric.Metric.Name,
                metric.Metric.Template,
                metric.Verdict,
                metric.Reason,
                metric.CriticalBreached,
                m.Canary.Query,
                metric.Value,
                m.Canary.Samples.Count,
                m.Canary.Error?.Message,
                metric.Metric.Thresholds,
                metric.Metric.Critical,
                metric.Metric.CompareToStable,
                m.Stable is { } stable ? new JsonSide(stable.Query, metric.StableValue, stable.Samples.Count, stable.Error?.Message) : null,
                m.RequestVolume is { } volume ? new JsonVolume(volume.Query, metric.RequestCount, minVolume, volume.Error?.Message) : null,
                [.. new[] { m.Canary, m.Stable, m.RequestVolume }.OfType<Measurement>().SelectMany(x => x.Warnings).Distinct(StringComparer.Ordinal)],
                metric.Evidence is { } e
                    ? new JsonEvidence(
                        double.IsFinite(e.Estimate) ? e.Estimate : null, e.Lower, double.IsFinite(e.Upper) ? e.Upper : null, e.Tolerance, e.PromoteBelow, e.Confidence, e.EValue,
                        e.Counts.CanaryEvents, e.Counts.CanaryRequests, e.Counts.StableEvents, e.Counts.StableRequests,
                        m.Counts is { } counts ? [counts.CanaryEvents.Query, counts.CanaryRequests.Query, counts.StableEvents.Query, counts.StableRequests.Query] : [])
                    : null);
        }).ToList();
        writer.WriteLine(JsonSerializer.Serialize(new JsonReport(result.Verdict, result.At, prometheus.ToString(), $"{plan.Namespace}/{plan.Metadata.Name}", metrics), Json));
    }

    private static void Field(TextWriter writer, string label, string text)
    {
        var lines = text.Split('\n');
        var pad = new string(' ', Math.Max(0, 15 - label.Length));
        writer.WriteLine($"{Indent}{label}:{pad}{lines[0].TrimEnd()}");
        foreach (var line in lines.Skip(1))
        {
            writer.WriteLine($"{Indent}{new string(' ', 16)}{line.TrimEnd()}");
        }
    }

    /// <summary>The value judged, or what the provider returned instead: nothing, several series, NaN, an error.</summary>
    private static string Value(double? value, Measurement measurement) => (value, measurement) switch
    {
        ({ } v, _) => Number(v),
        (_, { Error: { } error }) => $"none ({error.Kind}: {error.Message})",
        (_, { Samples: [] }) => "none (empty result)",
        (_, { Samples: [var only] }) => Number(only.Value),
        (_, { Samples: var many }) => $"{many.Count} series: {string.Join(", ", many.Take(5).Select(s => Number(s.Value)))}{(many.Count > 5 ? ", …" : "")}",
    };

    private static string Rules(MetricSpec spec)
    {
        var rules = new List<string>();
        if (spec.Thresholds is { } thresholds)
        {
            rules.Add($"thresholds {thresholds}");
        }

        if (spec.CompareToStable is { } compare)
        {
            var unit = compare.Mode == ComparisonMode.Relative ? "%" : "";
            var limits = new[] { compare.MaxIncrease is { } up ? $"+{Number(up)}{unit}" : null, compare.MaxDecrease is { } down ? $"-{Number(down)}{unit}" : null };
            rules.Add($"compared with stable: at most {string.Join(" and ", limits.OfType<string>())}");
        }

        if (spec.Critical is { } critical)
        {
            rules.Add($"critical {critical}");
        }

        return string.Join("; ", rules);
    }

    private static string Name(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    private static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };

    private sealed record JsonReport(Verdict Verdict, DateTimeOffset At, string Prometheus, string Plan, IReadOnlyList<JsonMetric> Metrics);

    private sealed record JsonMetric(
        string Name,
        string Template,
        Verdict Verdict,
        string Reason,
        bool CriticalBreached,
        string Query,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value,
        int Series,
        string? Error,
        ValueRange? Thresholds,
        ValueRange? Critical,
        StableComparison? CompareToStable,
        JsonSide? Stable,
        JsonVolume? RequestVolume,
        IReadOnlyList<string> Warnings,
        JsonEvidence? Evidence);

    /// <summary>The sequential judge's evidence; <c>upper</c> is null while unbounded.</summary>
    private sealed record JsonEvidence(
        double? Ratio,
        double Lower,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Upper,
        double Tolerance,
        double PromoteBelow,
        double Confidence,
        double EValue,
        double CanaryEvents,
        double CanaryRequests,
        double StableEvents,
        double StableRequests,
        IReadOnlyList<string> Queries);

    private sealed record JsonSide(string Query, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value, int Series, string? Error);

    private sealed record JsonVolume(string Query, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value, int Minimum, string? Error);
}
