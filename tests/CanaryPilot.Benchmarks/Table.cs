using System.Text;

namespace CanaryPilot.Benchmarks;

/// <summary>A table of results, printed as Markdown (which also reads well in a terminal).</summary>
internal sealed class Table(params string[] columns)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public string ToMarkdown()
    {
        var widths = columns.Select((c, i) => Math.Max(c.Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        void Line(IReadOnlyList<string> cells) =>
            text.Append("| ").AppendJoin(" | ", cells.Select((c, i) => c.PadRight(widths[i]))).Append(" |\n");
        Line(columns);
        Line(widths.Select(w => new string('-', w)).ToArray());
        foreach (var row in _rows)
        {
            Line(row);
        }

        return text.ToString().TrimEnd('\n');
    }
}
