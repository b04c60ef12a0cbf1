using System.Text.Json;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Cli;

/// <summary>Prints findings one per line, or as one JSON document for machines.</summary>
internal static class DiagnosticPrinter
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Read by people and by tools, never embedded in HTML: quotes stay quotes.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void WriteText(TextWriter writer, IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var diagnostic in diagnostics)
        {
            writer.WriteLine(diagnostic.ToString());
        }
    }

    public static void WriteJson(TextWriter writer, IReadOnlyList<Diagnostic> diagnostics, bool valid)
    {
        var findings = diagnostics.Select(d => new JsonFinding(d.File, d.Position?.Line, d.Position?.Column, d.Severity, d.Code, d.Path, d.Message));
        writer.WriteLine(JsonSerializer.Serialize(new JsonReport(valid, Count(diagnostics, Severity.Error), Count(diagnostics, Severity.Warning), findings.ToList()), Json));
    }

    public static string Summary(IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = Count(diagnostics, Severity.Error);
        var warnings = Count(diagnostics, Severity.Warning);
        return $"{errors} {(errors == 1 ? "error" : "errors")}, {warnings} {(warnings == 1 ? "warning" : "warnings")}";
    }

    private static int Count(IEnumerable<Diagnostic> diagnostics, Severity severity) => diagnostics.Count(d => d.Severity == severity);

    private sealed record JsonReport(bool Valid, int Errors, int Warnings, IReadOnlyList<JsonFinding> Findings);

    private sealed record JsonFinding(string File, int? Line, int? Column, Severity Severity, string? Code, string? Path, string Message);
}
