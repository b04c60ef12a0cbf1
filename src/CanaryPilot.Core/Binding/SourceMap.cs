using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Binding;

/// <summary>Where each field of a bound document was written, by its path (<c>spec.stages[2].weight</c>).</summary>
public sealed class SourceMap(string file, SourcePosition root)
{
    private readonly Dictionary<string, SourcePosition> _positions = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public void Record(string path, SourcePosition position) => _positions.TryAdd(path, position);

    /// <summary>The position of <paramref name="path"/>, or of its nearest written ancestor.</summary>
    public SourcePosition Locate(string path)
    {
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (_positions.TryGetValue(p, out var position))
            {
                return position;
            }
        }

        return root;
    }

    public Diagnostic Error(string path, string message) => Diagnostic.Error(File, Locate(path), path, message);

    private static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? "" : path[..cut];
    }
}
