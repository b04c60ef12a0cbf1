using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>A field selector on <c>metadata.name</c> and <c>metadata.namespace</c> (<c>=</c>, <c>==</c>, <c>!=</c>).</summary>
public sealed class FieldSelector
{
    private static readonly string[] Supported = ["metadata.name", "metadata.namespace"];
    private readonly List<(string Field, string Value, bool Negate)> _terms = [];

    public static FieldSelector Parse(string? text)
    {
        var selector = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text))
        {
            return selector;
        }

        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var negate = term.Contains("!=", StringComparison.Ordinal);
            var parts = term.Split(negate ? "!=" : term.Contains("==", StringComparison.Ordinal) ? "==" : "=", 2);
            if (parts.Length != 2 || !Supported.Contains(parts[0].Trim()))
            {
                throw KubeApiException.BadRequest($"field label not supported: {parts[0].Trim()}");
            }

            selector._terms.Add((parts[0].Trim(), parts[1].Trim(), negate));
        }

        return selector;
    }

    public bool Matches(JsonObject item)
    {
        var metadata = item["metadata"];
        return _terms.TrueForAll(t =>
        {
            var actual = t.Field == "metadata.name" ? metadata?["name"]?.ToString() : metadata?["namespace"]?.ToString();
            return (actual == t.Value) != t.Negate;
        });
    }
}
