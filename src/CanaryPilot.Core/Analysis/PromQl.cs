using System.Globalization;
using System.Text;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// PromQL's lexical rules for the values CanaryPilot writes into queries: string literals, regular
/// expressions (RE2, fully anchored) and durations.
/// </summary>
public static class PromQl
{
    private const string RegexMetacharacters = @"\.+*?()|[]{}^$";

    /// <summary>
    /// The body of a string literal delimited by <paramref name="quote"/> (<c>"</c> or <c>'</c>) whose
    /// content is exactly <paramref name="value"/>: backslashes, the quote and control characters escaped.
    /// </summary>
    public static string EscapeString(string value, char quote)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    text.Append(@"\\");
                    break;
                case '\n':
                    text.Append(@"\n");
                    break;
                case '\r':
                    text.Append(@"\r");
                    break;
                case '\t':
                    text.Append(@"\t");
                    break;
                case var q when q == quote:
                    text.Append('\\').Append(q);
                    break;
                case var control when char.IsControl(control):
                    text.Append(CultureInfo.InvariantCulture, $"\\u{(int)control:x4}");
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>A regular expression that matches exactly <paramref name="value"/>, as Go's <c>regexp.QuoteMeta</c> writes it.</summary>
    public static string QuoteMeta(string value)
    {
        var text = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (RegexMetacharacters.Contains(c, StringComparison.Ordinal))
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        return text.ToString();
    }

    /// <summary>A PromQL duration: <c>1m30s</c>, <c>2h</c>, or <c>1500ms</c> when it is not whole seconds.</summary>
    public static string FormatDuration(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "a PromQL duration is positive");
        }

        if (value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return $"{(long)Math.Ceiling(value.TotalMilliseconds)}ms";
        }

        var seconds = (long)value.TotalSeconds;
        var text = new StringBuilder();
        foreach (var (unit, size) in (ReadOnlySpan<(string, long)>)[("h", 3600), ("m", 60), ("s", 1)])
        {
            if (seconds >= size)
            {
                text.Append(CultureInfo.InvariantCulture, $"{seconds / size}{unit}");
                seconds %= size;
            }
        }

        return text.ToString();
    }
}
