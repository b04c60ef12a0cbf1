using System.Text;
using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Documents;

/// <summary>
/// Turns the files and directories a user names into documents, or into one-line findings for
/// what cannot be read: missing paths, empty, binary or oversized files, invalid YAML.
/// </summary>
public sealed class InputLoader(ReaderLimits limits)
{
    private static readonly string[] DocumentExtensions = [".yaml", ".yml", ".json"];
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public InputLoader()
        : this(ReaderLimits.Default)
    {
    }

    public InputSet Load(IEnumerable<string> paths)
    {
        var documents = new List<SourceDocument>();
        var diagnostics = new DiagnosticBag();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => DocumentExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (files.Count == 0)
                {
                    diagnostics.Add(Diagnostic.Error(path, null, null, "directory holds no .yaml, .yml or .json files"));
                }

                files.Where(f => seen.Add(Path.GetFullPath(f))).ToList().ForEach(f => LoadFile(f, documents, diagnostics));
            }
            else if (seen.Add(Path.GetFullPath(path)))
            {
                LoadFile(path, documents, diagnostics);
            }
        }

        return new InputSet(documents, diagnostics.Items);
    }

    /// <summary>Reads documents from text already in memory (built-in templates, tests).</summary>
    public InputSet LoadText(string file, string text)
    {
        var documents = new List<SourceDocument>();
        var diagnostics = new DiagnosticBag();
        Parse(file, text, documents, diagnostics);
        return new InputSet(documents, diagnostics.Items);
    }

    private void LoadFile(string file, List<SourceDocument> documents, DiagnosticBag diagnostics)
    {
        string? text;
        try
        {
            text = ReadText(file, diagnostics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, $"cannot read: {e.Message}"));
            return;
        }

        if (text is not null)
        {
            Parse(file, text, documents, diagnostics);
        }
    }

    private string? ReadText(string file, DiagnosticBag diagnostics)
    {
        var info = new FileInfo(file);
        if (!info.Exists)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, "no such file or directory"));
            return null;
        }

        if (info.Length > limits.MaxFileBytes)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null,
                $"file is {FormatSize(info.Length)}; input files may be at most {FormatSize(limits.MaxFileBytes)} (a Kubernetes object is at most 1.5 MiB)"));
            return null;
        }

        var bytes = File.ReadAllBytes(file);
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, $"binary file (a NUL byte at offset {nul}); expected YAML or JSON text"));
            return null;
        }

        try
        {
            return StrictUtf8.GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException e)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, $"not UTF-8 text (invalid byte at offset {e.Index}); expected YAML or JSON"));
            return null;
        }
    }

    private void Parse(string file, string text, List<SourceDocument> documents, DiagnosticBag diagnostics)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, "file is empty"));
            return;
        }

        // Raw tabs in valid JSON are only ever whitespace; YAML refuses them as indentation.
        if (text.AsSpan().TrimStart().StartsWith("{") || text.AsSpan().TrimStart().StartsWith("["))
        {
            text = text.Replace('\t', ' ');
        }

        IReadOnlyList<SourceNode> roots;
        try
        {
            roots = new YamlDocumentReader(limits).Read(text);
        }
        catch (InputException e)
        {
            diagnostics.Add(Diagnostic.Error(file, e.Position, null, e.Message));
            return;
        }

        if (roots.Count == 0)
        {
            diagnostics.Add(Diagnostic.Error(file, null, null, "file holds no documents"));
        }

        foreach (var root in roots)
        {
            AddDocument(file, root, documents, diagnostics);
        }
    }

    private static void AddDocument(string file, SourceNode root, List<SourceDocument> documents, DiagnosticBag diagnostics)
    {
        if (root is not MappingNode mapping)
        {
            diagnostics.Add(Diagnostic.Error(file, root.Position, null,
                $"expected a resource (a mapping with apiVersion and kind), found {root.Describe()}"));
            return;
        }

        var document = new SourceDocument(file, mapping);
        // `kubectl get -o yaml` wraps several objects in a v1 List; take them one by one.
        if (document is { ApiVersion: "v1", Kind: "List" })
        {
            foreach (var item in mapping.Sequence("items"))
            {
                AddDocument(file, item, documents, diagnostics);
            }

            return;
        }

        documents.Add(document);
    }

    // Rounded up, so a file just over the limit never reads as the limit itself.
    private static string FormatSize(long bytes) => bytes >= 1024 * 1024
        ? $"{Math.Ceiling(bytes * 10 / (1024.0 * 1024.0)) / 10:0.#} MiB"
        : $"{Math.Ceiling(bytes * 10 / 1024.0) / 10:0.#} KiB";
}
