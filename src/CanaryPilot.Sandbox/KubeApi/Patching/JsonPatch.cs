using System.Globalization;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Patching;

/// <summary>
/// RFC 6902 JSON patch (add, remove, replace, move, copy, test) on raw JSON with RFC 6901 pointers.
/// Exact and case-sensitive, as the API server applies it; a failed operation fails the whole patch.
/// </summary>
public static class JsonPatch
{
    public static JsonNode Apply(JsonNode document, JsonArray operations)
    {
        var root = new JsonObject { ["doc"] = document.DeepClone() };
        foreach (var operation in operations)
        {
            if (operation is not JsonObject op || op["op"]?.GetValue<string>() is not { } name || op["path"]?.GetValue<string>() is not { } path)
            {
                throw new PatchException("each operation needs op and path");
            }

            switch (name)
            {
                case "add":
                    Add(root, path, Value(op));
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    Add(root, path, Value(op));
                    break;
                case "move":
                    var moved = Remove(root, From(op));
                    Add(root, path, moved);
                    break;
                case "copy":
                    Add(root, path, Get(root, From(op))?.DeepClone());
                    break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), op["value"]))
                    {
                        throw new PatchException($"testing value {path} failed");
                    }

                    break;
                default:
                    throw new PatchException($"unexpected kind of operation \"{name}\"");
            }
        }

        return root["doc"]!.DeepClone();
    }

    private static JsonNode? Value(JsonObject op) =>
        op.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : throw new PatchException($"operation {op["op"]} needs a value");

    private static string From(JsonObject op) => op["from"]?.GetValue<string>() ?? throw new PatchException($"operation {op["op"]} needs from");

    private static (JsonNode Parent, string Token) Locate(JsonObject root, string pointer)
    {
        if (pointer.Length > 0 && pointer[0] != '/')
        {
            throw new PatchException($"invalid JSON pointer \"{pointer}\"");
        }

        var tokens = ("/doc" + pointer).Split('/')[1..].Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode current = root;
        foreach (var token in tokens[..^1])
        {
            current = Child(current, token) ?? throw new PatchException($"path {pointer} does not exist");
        }

        return (current, tokens[^1]);
    }

    private static JsonNode? Child(JsonNode node, string token) => node switch
    {
        JsonObject o => o[token],
        JsonArray a when Index(token, a.Count - 1) is { } i => a[i],
        _ => null,
    };

    private static int? Index(string token, int max) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= max && (token == "0" || token[0] != '0') ? i : null;

    private static JsonNode? Get(JsonObject root, string pointer)
    {
        var (parent, token) = Locate(root, pointer);
        return parent switch
        {
            JsonObject o when o.TryGetPropertyValue(token, out var value) => value,
            JsonArray a when Index(token, a.Count - 1) is { } i => a[i],
            _ => throw new PatchException($"path {pointer} does not exist"),
        };
    }

    private static void Add(JsonObject root, string pointer, JsonNode? value)
    {
        var (parent, token) = Locate(root, pointer);
        switch (parent)
        {
            case JsonObject o:
                o[token] = value;
                break;
            case JsonArray a when token == "-":
                a.Add(value);
                break;
            case JsonArray a when Index(token, a.Count) is { } i:
                a.Insert(i, value);
                break;
            default:
                throw new PatchException($"cannot add at {pointer}");
        }
    }

    private static JsonNode? Remove(JsonObject root, string pointer)
    {
        var (parent, token) = Locate(root, pointer);
        switch (parent)
        {
            case JsonObject o when o.Remove(token, out var removed):
                return removed;
            case JsonArray a when Index(token, a.Count - 1) is { } i:
                var item = a[i];
                a.RemoveAt(i);
                return item;
            default:
                throw new PatchException($"path {pointer} does not exist");
        }
    }
}

public sealed class PatchException(string message) : Exception(message);
