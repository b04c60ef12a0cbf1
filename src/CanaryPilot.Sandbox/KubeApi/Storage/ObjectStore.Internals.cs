using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Storage;

public sealed partial class ObjectStore
{
    private SortedDictionary<string, JsonObject> Bucket(ResourceType type) => Bucket(type.StorageKey);

    private JsonObject? Find(ResourceType type, string? ns, string name) =>
        Bucket(type).GetValueOrDefault(Key(type.Namespaced ? ns : null, name));

    private static string Key(string? ns, string name) => $"{ns}/{name}";

    private static string Key(JsonObject item) => Key(Namespace(item), item["metadata"]!["name"]!.GetValue<string>());

    private static string? Namespace(JsonObject item) => item["metadata"]?["namespace"]?.GetValue<string>();

    private static string Version(JsonObject item) => item["metadata"]!["resourceVersion"]!.GetValue<string>();

    private static JsonObject Served(ResourceType type, JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy["apiVersion"] = type.ApiVersion;
        return copy;
    }

    /// <summary>Everything but the spec: metadata, status, and the type fields.</summary>
    private static JsonObject Spec(JsonObject item)
    {
        var spec = (JsonObject)item.DeepClone();
        foreach (var field in new[] { "metadata", "status", "apiVersion", "kind" })
        {
            spec.Remove(field);
        }

        return spec;
    }

    private static JsonObject Comparable(JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        copy.Remove("apiVersion");
        ((JsonObject)copy["metadata"]!).Remove("resourceVersion");
        return copy;
    }

    private void Store(ResourceType type, JsonObject? before, JsonObject after)
    {
        after["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Bucket(type)[Key(after)] = after;
        Record(type, before, after);
    }

    private void Remove(ResourceType type, JsonObject item)
    {
        Bucket(type).Remove(Key(item));
        var deleted = (JsonObject)item.DeepClone();
        deleted["metadata"]!["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
        Record(type, item, null, deleted);
    }

    private void Record(ResourceType type, JsonObject? before, JsonObject? after, JsonObject? deleted = null)
    {
        var change = after is not null
            ? new StoredChange(_resourceVersion, type.StorageKey, Namespace(after), before, after)
            : new StoredChange(_resourceVersion, type.StorageKey, Namespace(deleted!), deleted, null);
        _history.Enqueue(change);
        while (_history.Count > HistoryLimit)
        {
            _compactedThrough = _history.Dequeue().ResourceVersion;
        }

        foreach (var watcher in _watchers)
        {
            watcher.Offer(change);
        }

        Changed?.Invoke(type, before, after);
    }

    private void RequireNamespace(string ns)
    {
        if (!_objects.TryGetValue("/namespaces", out var namespaces) || !namespaces.ContainsKey(Key(null, ns)))
        {
            throw new KubeApiException(404, "NotFound", $"namespaces \"{ns}\" not found", new JsonObject { ["name"] = ns, ["kind"] = "namespaces" });
        }
    }

    /// <summary>What the server fills in on create: a namespace is Active.</summary>
    private static void Initialize(ResourceType type, JsonObject item)
    {
        if (type is { Group: "", Plural: "namespaces" })
        {
            item["status"] = new JsonObject { ["phase"] = "Active" };
            item["spec"] ??= new JsonObject { ["finalizers"] = new JsonArray("kubernetes") };
        }

        Default(type, item);
    }

    /// <summary>What the real server fills in on every write: a Secret's type, and its stringData moved into data.</summary>
    private static void Default(ResourceType type, JsonObject item)
    {
        if (type is not { Group: "", Plural: "secrets" })
        {
            return;
        }

        if (item["type"]?.GetValue<string>() is null or "")
        {
            item["type"] = "Opaque";
        }

        if (item["stringData"] is JsonObject stringData)
        {
            var data = item["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }

            item["data"] = data;
            item.Remove("stringData");
        }
    }

    /// <summary>Deletes every object of a storage key (a CRD went away) or of a namespace (the namespace went away).</summary>
    internal void Cascade(Func<ResourceType, JsonObject, bool> doomed, IEnumerable<ResourceType> types)
    {
        foreach (var type in types.DistinctBy(t => t.StorageKey))
        {
            foreach (var item in Bucket(type).Values.Where(i => doomed(type, i)).ToList())
            {
                Remove(type, item);
            }
        }
    }

    private string Timestamp() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Concat(Enumerable.Range(0, 5).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]));
    }
}
