using System.Text.RegularExpressions;

namespace CanaryPilot.Core.Import;

/// <summary>Rewrites the <c>{{ … }}</c> variables of another tool's query into CanaryPilot's.</summary>
internal static partial class Placeholders
{
    /// <summary>
    /// The query with each variable replaced by what <paramref name="translate"/> makes of it; null, with the first
    /// variable it could not translate, when there is one.
    /// </summary>
    public static (string? Query, string? Untranslated) Rewrite(string query, Func<string, string?> translate)
    {
        string? untranslated = null;
        var rewritten = Placeholder().Replace(query, match =>
        {
            var name = match.Groups["name"].Value.Trim();
            if (translate(name) is { } ours)
            {
                return $"{{{{ {ours} }}}}";
            }

            untranslated ??= name;
            return match.Value;
        });
        return untranslated is null ? (rewritten, null) : (null, untranslated);
    }

    /// <summary>The distinct names inside <c>{{ … }}</c>, in order.</summary>
    public static IReadOnlyList<string> Names(string query) =>
        Placeholder().Matches(query).Select(m => m.Groups["name"].Value.Trim()).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"\{\{(?<name>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Placeholder();
}
