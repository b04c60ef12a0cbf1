using System.Globalization;
using System.Text;

namespace CanaryPilot.Core.Diagnostics;

/// <summary>
/// One finding about the input: where it is (file, position, field path) and what is wrong.
/// Rendered as a single line, <c>file:line:column: path: message</c>; lint findings also carry
/// their severity and stable code.
/// </summary>
public sealed record Diagnostic(
    Severity Severity,
    string File,
    SourcePosition? Position,
    string? Path,
    string Message,
    string? Code = null)
{
    public static Diagnostic Error(string file, SourcePosition? position, string? path, string message) =>
        new(Severity.Error, file, position, path, message);

    public override string ToString()
    {
        var where = Position is { } p ? $"{File}:{p.Line}:{p.Column}" : File;
        var what = Code is null ? "" : $"{Severity.ToString().ToLowerInvariant()} {Code}: ";
        var field = string.IsNullOrEmpty(Path) ? "" : $"{Path}: ";
        return OneLine($"{where}: {what}{field}{Message}");
    }

    /// <summary>
    /// Input quoted in a finding may hold a line break, a NUL or a terminal escape sequence: written as
    /// escapes, so a finding stays one line and never reaches a terminal as control characters.
    /// </summary>
    private static string OneLine(string text)
    {
        if (!text.Any(IsUnsafe))
        {
            return text;
        }

        var line = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (!IsUnsafe(c))
            {
                line.Append(c);
                continue;
            }

            line.Append(c switch
            {
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                '\0' => @"\0",
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
        }

        return line.ToString();
    }

    private static bool IsUnsafe(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';
}
