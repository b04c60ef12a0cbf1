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

    /// <summary>The JSON of every printer of analyses: camelCase, enums as camelCase strings, nulls left out unless a field says otherwise.</summary>
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void WriteText(TextWriter writer, AnalysisResult result, RolloutPlan plan, Uri prometheus)
    {
        foreach (var metric in result.Metrics)
        {
            WriteMetric(writer, metric, plan, indent: "", withQueries: true);
        }

        var counts = result.Metrics.GroupBy(m => m.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Name(g.Key)}");
        writer.WriteLine($"verdict: {Name(result.Verdict)} ({string.Join(", ", counts)}) from {prometheus} at {Time(result.At)}");
    }

    /// <summary>One metric's verdict and why, its value(s) and warnings; with its rules and rendered queries when <paramref name="withQueries"/>.</summary>
    public static void WriteMetric(TextWriter writer, MetricVerdict metric, RolloutPlan plan, string indent, bool withQueries)
    {
        var spec = metric.Metric;
        var m = metric.Measurements;
        writer.WriteLine($"{indent}{spec.Name}: {Name(metric.Verdict)}{(metric.CriticalBreached ? " (critical)" : "")}");
        indent += Indent;
        Field(writer, indent, "why", metric.Reason);
        Field(writer, indent, "value", Value(metric.Value, m.Canary));
        if (withQueries)
        {
            Field(writer, indent, "rules", Rules(spec));
            Field(writer, indent, "query", m.Canary.Query);
        }

        if (m.Stable is { } stable)
        {
            Field(writer, indent, "stable", Value(metric.StableValue, stable));
            if (withQueries)
            {
                Field(writer, indent, "stable query", stable.Query);
            }
        }

        if (m.RequestVolume is { } volume)
        {
            Field(writer, indent, "requests", $"{Value(metric.RequestCount, volume)} in {Core.Common.Duration.Format(QueryVariables.Window(plan.Spec.Analysis, spec))} (at least {plan.Spec.Analysis.MissingData.MinRequestVolume} to judge)");
            if (withQueries)
            {
                Field(writer, indent, "requests query", volume.Query);
            }
        }

        foreach (var warning in new[] { m.Canary, m.Stable, m.RequestVolume }.OfType<Measurement>().SelectMany(x => x.Warnings).Distinct(StringComparer.Ordinal))
        {
            Field(writer, indent, "warning", warning);
        }
    }

    /// <summary>A metric's rules and every query it was measured with, the sequential judge's counts included.</summary>
    public static void WriteQueries(TextWriter writer, MetricVerdict metric, string indent)
    {
        var m = metric.Measurements;
        writer.WriteLine($"{indent}{metric.Metric.Name}:");
        indent += Indent;
        Field(writer, indent, "rules", Rules(metric.Metric));
        Field(writer, indent, "query", m.Canary.Query);
        foreach (var (label, measurement) in new[] { ("stable query", m.Stable), ("requests query", m.RequestVolume) })
        {
            if (measurement is not null)
            {
                Field(writer, indent, label, measurement.Query);
            }
        }

        if (m.Counts is { } counts)
        {
            Field(writer, indent, "count queries", string.Join('\n', counts.CanaryEvents.Query, counts.CanaryRequests.Query, counts.StableEvents.Query, counts.StableRequests.Query));
        }
    }

    public static void WriteJson(TextWriter writer, AnalysisResult result, RolloutPlan plan, Uri prometheus)
    {
        var metrics = result.Metrics.Select(metric => ToJson(metric, plan)).ToList();
        writer.WriteLine(JsonSerializer.Serialize(new JsonReport(result.Verdict, result.At, prometheus.ToString(), $"{plan.Namespace}/{plan.Metadata.Name}", metrics), Json));
    }

    /// <summary>One metric as the JSON reports write it.</summary>
    internal static JsonMetric ToJson(MetricVerdict metric, RolloutPlan plan)
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
            m.RequestVolume is { } volume ? new JsonVolume(volume.Query, metric.RequestCount, plan.Spec.Analysis.MissingData.MinRequestVolume, volume.Error?.Message) : null,
            [.. new[] { m.Canary, m.Stable, m.RequestVolume }.OfType<Measurement>().SelectMany(x => x.Warnings).Distinct(StringComparer.Ordinal)],
            metric.Evidence is { } e
                ? new JsonEvidence(
                    double.IsFinite(e.Estimate) ? e.Estimate : null, e.Lower, double.IsFinite(e.Upper) ? e.Upper : null, e.Tolerance, e.PromoteBelow, e.Confidence, e.EValue,
                    e.Counts.CanaryEvents, e.Counts.CanaryRequests, e.Counts.StableEvents, e.Counts.StableRequests,
                    m.Counts is { } counts ? [counts.CanaryEvents.Query, counts.CanaryRequests.Query, counts.StableEvents.Query, counts.StableRequests.Query] : [])
                : null);
    }

    /// <summary>An instant as every printer writes it: UTC, to the second.</summary>
    internal static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    internal static string Name(Verdict verdict) => verdict.ToString().ToLowerInvariant();

    /// <summary>A label and its text, continued lines under the text: <c>label:</c> padded to 16 columns after <paramref name="indent"/>.</summary>
    internal static void Field(TextWriter writer, string indent, string label, string text)
    {
        var lines = text.Split('\n');
        var pad = new string(' ', Math.Max(0, 15 - label.Length));
        writer.WriteLine($"{indent}{label}:{pad}{lines[0].TrimEnd()}");
        foreach (var line in lines.Skip(1))
        {
            writer.WriteLine($"{indent}{new string(' ', 16)}{line.TrimEnd()}");
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

    private static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };

    private sealed record JsonReport(Verdict Verdict, DateTimeOffset At, string Prometheus, string Plan, IReadOnlyList<JsonMetric> Metrics);

    internal sealed record JsonMetric(
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
    internal sealed record JsonEvidence(
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

    internal sealed record JsonSide(string Query, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value, int Series, string? Error);

    internal sealed record JsonVolume(string Query, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] double? Value, int Minimum, string? Error);
}
