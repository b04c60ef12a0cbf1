using System.Text.Json;
using System.Text.Json.Nodes;

namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// One object as the cache holds it: its JSON as UTF-8 bytes, a fraction of a parsed document's size,
/// parsed anew for every reader, so no reader can change what another sees.
/// </summary>
public sealed class CachedObject
{
    private readonly byte[] _json;

    private CachedObject(byte[] json, string ns, string name, string resourceVersion, string? host)
    {
        _json = json;
        Namespace = ns;
        Name = name;
        ResourceVersion = resourceVersion;
        Host = host;
    }

    public string Namespace { get; }

    public string Name { get; }

    public string ResourceVersion { get; }

    /// <summary>The object's <c>spec.host</c> (a DestinationRule's), kept so a rule can be found among thousands without parsing them.</summary>
    public string? Host { get; }

    public string Key => $"{Namespace}/{Name}";

    public JsonObject Parse() => JsonNode.Parse(_json)!.AsObject();

    /// <summary>The object of <paramref name="json"/>, or null when it names no object (no metadata.name).</summary>
    public static CachedObject? From(JsonElement json) => json.ValueKind == JsonValueKind.Object ? From(JsonSerializer.SerializeToUtf8Bytes(json), json) : null;

    public static CachedObject? From(JsonObject json)
    {
        // Serialized once; the fields read here are copied out before the document goes.
        var bytes = JsonSerializer.SerializeToUtf8Bytes(json);
        using var document = JsonDocument.Parse(bytes);
        return From(bytes, document.RootElement);
    }

    private static CachedObject? From(byte[] bytes, JsonElement json)
    {
        if (!json.TryGetProperty("metadata", out var metadata) || metadata.ValueKind != JsonValueKind.Object
            || !metadata.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var ns = metadata.TryGetProperty("namespace", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "";
        var version = metadata.TryGetProperty("resourceVersion", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        var host = json.TryGetProperty("spec", out var spec) && spec.ValueKind == JsonValueKind.Object && spec.TryGetProperty("host", out var h) && h.ValueKind == JsonValueKind.String
            ? h.GetString()
            : null;
        return new CachedObject(bytes, ns, name.GetString()!, version, host);
    }
}
