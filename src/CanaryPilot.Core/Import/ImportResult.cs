using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Import;

/// <summary>A RolloutPlan or AnalysisTemplate written from another tool's resources.</summary>
public sealed record ImportedDocument(string Kind, string Name, string? Namespace, YamlMap Document, string FromFile)
{
    /// <summary>The file name <c>import --output-dir</c> gives it: <c>rolloutplan-reviews.yaml</c>.</summary>
    public string FileName => $"{Kind.ToLowerInvariant()}-{Name}.yaml";
}

/// <summary>
/// What an import came to: the documents written, one line per field that was not carried over (or only roughly),
/// and the errors that stopped it (the input is invalid: nothing is written).
/// </summary>
public sealed record ImportResult(IReadOnlyList<ImportedDocument> Documents, IReadOnlyList<Diagnostic> NotCarriedOver, IReadOnlyList<Diagnostic> Errors)
{
    public bool IsInvalid => Errors.Count > 0;
}
