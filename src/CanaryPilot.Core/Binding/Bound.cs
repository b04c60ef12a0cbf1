using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Binding;

/// <summary>A document bound onto <typeparamref name="T"/>: the value (when binding succeeded), where its fields were, and what was wrong.</summary>
public sealed record Bound<T>(SourceDocument Document, T? Value, SourceMap Map, IReadOnlyList<Diagnostic> Diagnostics)
    where T : class;

public static class Bound
{
    public static Bound<T> From<T>(SourceDocument document)
        where T : class
    {
        var map = new SourceMap(document.File, document.Root.Position);
        var diagnostics = new DiagnosticBag();
        var value = new ObjectBinder(map, diagnostics).Bind<T>(document.Root, "");
        return new Bound<T>(document, diagnostics.HasErrors ? null : value, map, diagnostics.Items);
    }
}
