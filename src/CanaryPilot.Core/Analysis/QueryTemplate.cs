using System.Text.RegularExpressions;

namespace CanaryPilot.Core.Analysis;

/// <summary>The variables a query template refers to, in <c>{{ name }}</c> form.</summary>
public static partial class QueryTemplate
{
    public const string ArgsPrefix = "args.";

    /// <summary>The variables every query may use; <c>args.NAME</c> may also be used for declared arguments.</summary>
    public static IReadOnlyList<string> BuiltInVariables { get; } =
    [
        "namespace", "service", "workload", "version", "backend",
        "canaryWorkload", "canaryVersion", "stableWorkload", "stableVersion", "interval",
    ];

    /// <summary>Every <c>{{ variable }}</c> in <paramref name="query"/>, in order, or the text of a malformed one.</summary>
    public static IEnumerable<string> Variables(string query)
    {
        foreach (Match match in Placeholder().Matches(query))
        {
            yield return match.Groups["name"].Value.Trim();
        }
    }

    [GeneratedRegex(@"\{\{(?<name>.*?)\}\}", RegexOptions.Singleline)]
    private static partial Regex Placeholder();
}
