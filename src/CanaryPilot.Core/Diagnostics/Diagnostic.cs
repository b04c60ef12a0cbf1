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
        return $"{where}: {what}{field}{Message}";
    }
}
