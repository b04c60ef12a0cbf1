using System.Globalization;
using System.Text;

namespace CanaryPilot.Sandbox.Prometheus;

/// <summary>
/// Past samples for a sandbox Prometheus to start with (<see cref="PrometheusServerOptions.History"/>):
/// counters given point by point, written as the OpenMetrics text that <c>promtool</c> turns into blocks.
/// </summary>
public sealed class PrometheusHistory
{
    private readonly List<(string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(DateTimeOffset Time, double Value)> Points)> _counters = [];

    /// <summary>Adds one counter series, <paramref name="name"/> ending in <c>_total</c>, with its points in time order.</summary>
    public PrometheusHistory Counter(string name, IReadOnlyDictionary<string, string> labels, IEnumerable<(DateTimeOffset Time, double Value)> points)
    {
        if (!name.EndsWith("_total", StringComparison.Ordinal))
        {
            throw new ArgumentException($"a counter's samples are named …_total; \"{name}\" is not", nameof(name));
        }

        var list = points.ToList();
        if (list.Zip(list.Skip(1)).Any(p => p.Second.Time <= p.First.Time))
        {
            throw new ArgumentException($"the points of {name} are not in time order", nameof(points));
        }

        _counters.Add((name, labels, list));
        return this;
    }

    /// <summary>The samples as OpenMetrics text: each family once, its series one after the other, ending with <c># EOF</c>.</summary>
    public string ToOpenMetrics()
    {
        var text = new StringBuilder();
        foreach (var family in _counters.GroupBy(c => c.Name, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"# TYPE {family.Key[..^"_total".Length]} counter\n");
            foreach (var (name, labels, points) in family)
            {
                var selector = string.Join(',', labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\""));
                foreach (var (time, value) in points)
                {
                    text.Append(CultureInfo.InvariantCulture, $"{name}{{{selector}}} {value:R} {time.ToUnixTimeMilliseconds() / 1000m}\n");
                }
            }
        }

        return text.Append("# EOF\n").ToString();
    }

    private static string Escape(string value) => value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);
}
