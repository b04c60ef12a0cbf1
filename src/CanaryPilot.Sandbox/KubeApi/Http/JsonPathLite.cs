using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>
/// The part of JSONPath printer columns use: <c>.a.b</c>, <c>.a[0]</c> and
/// <c>.conditions[?(@.type=="Ready")].status</c>.
/// </summary>
internal static class JsonPathLite
{
    public static JsonNode? Evaluate(JsonNode? node, string path)
    {
        var rest = path.Trim().TrimStart('{').TrimEnd('}').AsSpan().TrimStart('$');
        while (!rest.IsEmpty && node is not null)
        {
            if (rest[0] == '.')
            {
                rest = rest[1..];
                var end = rest.IndexOfAny('.', '[');
                var name = end < 0 ? rest : rest[..end];
                node = node is JsonObject o ? o[name.ToString()] : null;
                rest = end < 0 ? [] : rest[end..];
            }
            else if (rest[0] == '[')
            {
                var close = rest.IndexOf(']');
                if (close < 0)
                {
                    return null;
                }

                node = Select(node, rest[1..close].ToString());
                rest = rest[(close + 1)..];
            }
            else
            {
                return null;
            }
        }

        return node;
    }

    private static JsonNode? Select(JsonNode node, string selector)
    {
        if (node is not JsonArray array)
        {
            return null;
        }

        if (int.TryParse(selector, System.Globalization.CultureInfo.InvariantCulture, out var index))
        {
            return index >= 0 && index < array.Count ? array[index] : null;
        }

        // ?(@.field=="value")
        var filter = selector.TrimStart('?').Trim('(', ')');
        var parts = filter.Split("==", 2);
        if (parts.Length != 2 || !parts[0].StartsWith("@.", StringComparison.Ordinal))
        {
            return null;
        }

        var field = parts[0][2..].Trim();
        var value = parts[1].Trim().Trim('"', '\'');
        return array.FirstOrDefault(item => item is JsonObject o && o[field]?.ToString() == value);
    }
}
