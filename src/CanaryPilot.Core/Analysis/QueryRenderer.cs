using System.Text;
using System.Text.RegularExpressions;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// Fills a query template's <c>{{ variables }}</c>, escaping each value for where it stands, so that no
/// value — a namespace, a workload name, an argument — can change the structure of the query:
/// <list type="bullet">
/// <item>inside a <c>"…"</c> or <c>'…'</c> string, as a string literal (backslash, quote, control characters);</item>
/// <item>inside a string compared with <c>=~</c> or <c>!~</c>, first as a regular expression that matches the value literally;</item>
/// <item>inside a <c>`…`</c> raw string, which has no escapes, any value without a backtick;</item>
/// <item>outside strings (a range such as <c>[{{ interval }}]</c>, a number), only a number, duration or name;</item>
/// <item>in a <c>#</c> comment, any value on one line.</item>
/// </list>
/// </summary>
public static partial class QueryRenderer
{
    private enum Context
    {
        Code,
        String,
        Comment,
    }

    /// <summary>Renders <paramref name="template"/>; a variable without a value, or a value that cannot stand where it is, is a problem.</summary>
    public static QueryRendering Render(string template, IReadOnlyDictionary<string, string?> values)
    {
        var output = new StringBuilder(template.Length + 64);
        var context = Context.Code;
        var quote = '\0';
        var regex = false;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                var end = template.IndexOf("}}", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return QueryRendering.Failed("an unclosed {{ in the query");
                }

                var name = template[(i + 2)..end].Trim();
                if (!values.TryGetValue(name, out var value) || value is null)
                {
                    return QueryRendering.Failed($"{{{{ {name} }}}} has no value");
                }

                var problem = Append(output, name, value, context, quote, regex);
                if (problem is not null)
                {
                    return QueryRendering.Failed(problem);
                }

                i = end + 1;
                continue;
            }

            output.Append(c);
            switch (context)
            {
                case Context.Code when c is '"' or '\'' or '`':
                    context = Context.String;
                    quote = c;
                    regex = FollowsRegexOperator(output, output.Length - 1);
                    break;
                case Context.Code when c == '#':
                    context = Context.Comment;
                    break;
                case Context.String when c == '\\' && quote != '`' && i + 1 < template.Length:
                    output.Append(template[++i]);
                    break;
                case Context.String when c == quote:
                    context = Context.Code;
                    break;
                case Context.Comment when c == '\n':
                    context = Context.Code;
                    break;
            }
        }

        return QueryRendering.Of(output.ToString().TrimEnd());
    }

    private static string? Append(StringBuilder output, string name, string value, Context context, char quote, bool regex)
    {
        switch (context)
        {
            case Context.String when quote == '`':
                if (value.Contains('`', StringComparison.Ordinal))
                {
                    return $"{{{{ {name} }}}} stands in a `…` string, which cannot hold a backtick; its value \"{value}\" has one";
                }

                output.Append(regex ? PromQl.QuoteMeta(value) : value);
                return null;
            case Context.String:
                output.Append(PromQl.EscapeString(regex ? PromQl.QuoteMeta(value) : value, quote));
                return null;
            case Context.Comment:
                if (value.AsSpan().IndexOfAny('\n', '\r') >= 0)
                {
                    return $"{{{{ {name} }}}} stands in a comment, which ends at a line break; its value has one";
                }

                output.Append(value);
                return null;
            default:
                if (!PlainToken().IsMatch(value))
                {
                    return $"{{{{ {name} }}}} stands outside quotes, so its value must be a number, a duration or a name (letters, digits, '_', '.', ':'); \"{value}\" is not; quote it in the template";
                }

                output.Append(value);
                return null;
        }
    }

    /// <summary>Whether the string that opens at <paramref name="quoteAt"/> is the operand of <c>=~</c> or <c>!~</c>.</summary>
    private static bool FollowsRegexOperator(StringBuilder output, int quoteAt)
    {
        var i = quoteAt - 1;
        while (i >= 0 && char.IsWhiteSpace(output[i]))
        {
            i--;
        }

        return i >= 1 && output[i] == '~' && output[i - 1] is '=' or '!';
    }

    [GeneratedRegex(@"^[A-Za-z0-9_.:]+\z")]
    private static partial Regex PlainToken();
}
