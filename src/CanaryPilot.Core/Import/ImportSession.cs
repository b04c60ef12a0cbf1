using System.Globalization;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Import;

/// <summary>
/// One import's bookkeeping: the documents it may look things up in, the lines it owes the user, and the errors
/// that make the input unusable. Each importer says of every field it reads whether it was carried over.
/// </summary>
internal sealed class ImportSession(IReadOnlyList<SourceDocument> inputs)
{
    private readonly List<Diagnostic> _notes = [];
    private readonly List<Diagnostic> _errors = [];
    private readonly List<ImportedDocument> _documents = [];

    public IReadOnlyList<SourceDocument> Inputs { get; } = inputs;

    public IReadOnlyList<Diagnostic> Errors => _errors;

    /// <summary>The document of <paramref name="group"/> and <paramref name="kind"/> named <paramref name="name"/>, when the user gave it.</summary>
    public SourceDocument? Find(string group, string kind, string name, string? ns = null) =>
        Inputs.FirstOrDefault(d => d.Group == group && d.Kind == kind && d.Name == name && (ns is null || d.Namespace is null || d.Namespace == ns));

    /// <summary>A field that did not make it into CanaryPilot's documents, or only roughly: why, and what it became.</summary>
    public void NotCarriedOver(SourceDocument document, SourceNode? at, string field, string why) =>
        _notes.Add(new Diagnostic(Severity.Warning, document.File, (at ?? document.Root).Position, null, $"not carried over: {field}: {why}"));

    public void Invalid(SourceDocument document, SourceNode? at, string field, string message) =>
        _errors.Add(Diagnostic.Error(document.File, (at ?? document.Root).Position, field, message));

    /// <summary>Adds a written document; a template another plan already brought along is written once.</summary>
    public void Write(ImportedDocument document)
    {
        if (!_documents.Any(d => d.Kind == document.Kind && d.Name == document.Name && d.Namespace == document.Namespace))
        {
            _documents.Add(document);
        }
    }

    public ImportResult Result() => _errors.Count > 0
        ? new ImportResult([], _notes, _errors)
        : new ImportResult(_documents, _notes, []);

    /// <summary>Every key of <paramref name="mapping"/> not in <paramref name="read"/> is named as not carried over: nothing is dropped silently.</summary>
    public void RestNotCarriedOver(SourceDocument document, MappingNode? mapping, string path, IEnumerable<string> read, string why)
    {
        if (mapping is null)
        {
            return;
        }

        var known = read.ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            if (!known.Contains(key.Value))
            {
                NotCarriedOver(document, key, $"{path}.{key.Value}", why);
            }
        }
    }

    /// <summary>An integer field, or an error naming it; null when absent.</summary>
    public int? Integer(SourceDocument document, MappingNode? mapping, string key, string path)
    {
        if (mapping?[key] is not { } node || node is ScalarNode { IsNull: true })
        {
            return null;
        }

        if (node is ScalarNode scalar && int.TryParse(scalar.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Invalid(document, node, $"{path}.{key}", $"expected an integer, found {node.Describe()}");
        return null;
    }

    /// <summary>A number field, or an error naming it; null when absent.</summary>
    public double? Number(SourceDocument document, MappingNode? mapping, string key, string path)
    {
        if (mapping?[key] is not { } node || node is ScalarNode { IsNull: true })
        {
            return null;
        }

        if (node is ScalarNode scalar && double.TryParse(scalar.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        Invalid(document, node, $"{path}.{key}", $"expected a number, found {node.Describe()}");
        return null;
    }

    /// <summary>
    /// A duration as these tools write it (<c>1m</c>, <c>30s</c>, <c>1h30m</c>, or a bare number of seconds), in
    /// CanaryPilot's form; an error naming the field when it is neither.
    /// </summary>
    public string? Duration(SourceDocument document, MappingNode? mapping, string key, string path)
    {
        if (mapping?[key] is not ScalarNode { IsNull: false } scalar)
        {
            if (mapping?[key] is { } other and not ScalarNode)
            {
                Invalid(document, other, $"{path}.{key}", $"expected a duration such as 1m or 30s, found {other.Describe()}");
            }

            return null;
        }

        if (int.TryParse(scalar.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return Common.Duration.Format(TimeSpan.FromSeconds(seconds));
        }

        if (Common.Duration.TryParse(scalar.Value, out var duration))
        {
            return Common.Duration.Format(duration);
        }

        Invalid(document, scalar, $"{path}.{key}", $"expected a duration such as 1m or 30s, found {scalar.Describe()}");
        return null;
    }

    /// <summary>A name CanaryPilot accepts for a metric, gate or notification: lower case, digits and dashes.</summary>
    public static string DnsLabel(string name)
    {
        var label = new string(name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray());
        while (label.Contains("--", StringComparison.Ordinal))
        {
            label = label.Replace("--", "-", StringComparison.Ordinal);
        }

        label = label.Trim('-');
        return label.Length == 0 ? "unnamed" : label[..Math.Min(label.Length, 63)].TrimEnd('-');
    }
}
