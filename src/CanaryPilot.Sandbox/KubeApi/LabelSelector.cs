using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// A label selector in its query-string form: <c>a=b</c>, <c>a==b</c>, <c>a!=b</c>,
/// <c>a in (x,y)</c>, <c>a notin (x,y)</c>, <c>a</c> (exists) and <c>!a</c>, joined by commas.
/// </summary>
public sealed partial class LabelSelector
{
    private readonly List<Func<IReadOnlyDictionary<string, string>, bool>> _requirements = [];

    public static LabelSelector Everything { get; } = new();

    public static LabelSelector Parse(string? text)
    {
        var selector = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var part in SplitTopLevel(text))
        {
            var requirement = part.Trim();
            if (SetRequirement().Match(requirement) is { Success: true } set)
            {
                var key = set.Groups["key"].Value;
                var values = set.Groups["values"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
                var notIn = set.Groups["op"].Value == "notin";
                selector._requirements.Add(labels => labels.TryGetValue(key, out var value) ? values.Contains(value) != notIn : notIn);
            }
            else if (EqualityRequirement().Match(requirement) is { Success: true } equality)
            {
                var key = equality.Groups["key"].Value;
                var value = equality.Groups["value"].Value;
                var negate = equality.Groups["op"].Value == "!=";
                selector._requirements.Add(labels => (labels.TryGetValue(key, out var actual) && actual == value) != negate);
            }
            else if (ExistsRequirement().Match(requirement) is { Success: true } exists)
            {
                var key = exists.Groups["key"].Value;
                var negate = exists.Groups["not"].Success;
                selector._requirements.Add(labels => labels.ContainsKey(key) != negate);
            }
            else
            {
                throw KubeApiException.BadRequest($"unable to parse requirement: \"{requirement}\"");
            }
        }

        return selector;
    }

    public bool Matches(JsonObject item)
    {
        var labels = item["metadata"]?["labels"] as JsonObject;
        var map = labels?.Where(l => l.Value is JsonValue).ToDictionary(l => l.Key, l => l.Value!.ToString(), StringComparer.Ordinal)
            ?? new Dictionary<string, string>(StringComparer.Ordinal);
        return _requirements.TrueForAll(r => r(map));
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            depth += text[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }

        yield return text[start..];
    }

    private const string Key = @"(?<key>[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?)";

    [GeneratedRegex(@"^" + Key + @"\s+(?<op>in|notin)\s*\((?<values>[^)]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^" + Key + @"\s*(?<op>==|=|!=)\s*(?<value>[-A-Za-z0-9_.]*)$")]
    private static partial Regex EqualityRequirement();

    [GeneratedRegex(@"^(?<not>!)?\s*" + Key + "$")]
    private static partial Regex ExistsRequirement();
}
