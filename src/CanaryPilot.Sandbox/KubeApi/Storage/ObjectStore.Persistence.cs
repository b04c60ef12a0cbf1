using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Storage;

public sealed partial class ObjectStore
{
    /// <summary>Writes every object and the resourceVersion counter to a file, atomically.</summary>
    public void Save(string path)
    {
        JsonObject state;
        lock (_lock)
        {
            state = new JsonObject
            {
                ["resourceVersion"] = _resourceVersion,
                ["objects"] = new JsonObject(_objects.Where(b => b.Value.Count > 0).Select(b =>
                    KeyValuePair.Create(b.Key, (JsonNode?)new JsonArray([.. b.Value.Values.Select(o => o.DeepClone())])))),
            };
        }

        var temporary = path + ".tmp";
        File.WriteAllText(temporary, state.ToJsonString());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Restores a saved state; each object passes through <see cref="Changed"/> so CRDs are served again.</summary>
    public void Load(string path, Func<string, ResourceType?> typeOf)
    {
        var state = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path} does not hold a saved sandbox state");
        lock (_lock)
        {
            _resourceVersion = state["resourceVersion"]?.GetValue<long>() ?? 1;
            _compactedThrough = _resourceVersion;
            _history.Clear();
            _objects.Clear();
            var buckets = (state["objects"] as JsonObject ?? []).OrderBy(b => b.Key == "apiextensions.k8s.io/customresourcedefinitions" ? 0 : 1);
            foreach (var (key, items) in buckets)
            {
                foreach (var item in (items as JsonArray ?? []).OfType<JsonObject>())
                {
                    var copy = (JsonObject)item.DeepClone();
                    Bucket(key)[Key(copy)] = copy;
                    if (typeOf(key) is { } type)
                    {
                        Changed?.Invoke(type, null, copy);
                    }
                }
            }
        }
    }

    private SortedDictionary<string, JsonObject> Bucket(string storageKey)
    {
        if (!_objects.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[storageKey] = bucket;
        }

        return bucket;
    }
}
