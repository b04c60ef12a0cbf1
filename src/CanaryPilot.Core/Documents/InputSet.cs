using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Documents;

/// <summary>The documents read from the user's input, and what could not be read.</summary>
public sealed record InputSet(IReadOnlyList<SourceDocument> Documents, IReadOnlyList<Diagnostic> Diagnostics);
