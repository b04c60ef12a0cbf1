using System.Globalization;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Storage;

/// <summary>
/// Every object of the emulated cluster, with the API server's write semantics: one increasing
/// resourceVersion, optimistic concurrency, generation on spec changes, the status subresource,
/// and a bounded history of changes from which watches resume (older ones get 410 Gone).
/// One lock guards it all: the emulator serves tests and a laptop, not a fleet.
/// </summary>
public sealed partial class ObjectStore
{
    private const int HistoryLimit = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _objects = new(StringComparer.Ordinal);
    private readonly Queue<StoredChange> _history = new();
    private readonly List<Watcher> _watchers = [];
    private readonly TimeProvider _time;
    private long _resourceVersion = 1;
    private long _compactedThrough;

    public ObjectStore(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>Checks or completes an object (new, and current when updating) before it is stored; throws to refuse it.</summary>
    public Action<ResourceType, JsonObject, JsonObject?>? Admission { get; set; }

    /// <summary>Called inside the store's lock after every change, so the server can react (register a CRD) atomically.</summary>
    public event Action<ResourceType, JsonObject?, JsonObject?>? Changed;

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>How many watches are open now.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_lock)
            {
                return _watchers.Count;
            }
        }
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        lock (_lock)
        {
            return Find(type, ns, name) is { } found ? Served(type, found) : null;
        }
    }

    /// <summary>Objects in key order (namespace, then name), after <paramref name="after"/> when continuing a list.</summary>
    public (IReadOnlyList<JsonObject> Items, long ResourceVersion, string? NextKey) List(
        ResourceType type, string? ns, Func<JsonObject, bool> filter, int limit, string? after)
    {
        lock (_lock)
        {
            var items = new List<JsonObject>();
            string? next = null;
            foreach (var (key, item) in Bucket(type))
            {
                if ((ns is not null && Namespace(item) != ns) || (after is not null && string.CompareOrdinal(key, after) <= 0) || !filter(item))
                {
                    continue;
                }

                if (limit > 0 && items.Count == limit)
                {
                    next = Key(items[^1]);
                    break;
                }

                items.Add(Served(type, item));
            }

            return (items, _resourceVersion, next);
        }
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject item, bool dryRun)
    {
        lock (_lock)
        {
            var metadata = item["metadata"] as JsonObject ?? throw KubeApiException.BadRequest("metadata is required");
            if (metadata["name"] is null && metadata["generateName"]?.GetValue<string>() is { } prefix)
            {
                metadata["name"] = prefix + RandomSuffix();
            }

            var name = metadata["name"]?.GetValue<string>() ?? throw KubeApiException.Invalid(type, "", "metadata.name", "Required value: name or generateName is required");
            Validation.CheckName(type, name);
            if (type.Namespaced)
            {
                RequireNamespace(ns!);
                metadata["namespace"] = ns;
            }
            else
            {
                metadata.Remove("namespace");
            }

            if (Find(type, ns, name) is not null)
            {
                throw KubeApiException.AlreadyExists(type, name);
            }

            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Timestamp();
            metadata.Remove("resourceVersion");
            metadata.Remove("deletionTimestamp");
            if (!type.SpecLess)
            {
                metadata["generation"] = 1;
            }

            if (type.HasStatus && type.Custom)
            {
                item.Remove("status");
            }

            item["apiVersion"] = type.ApiVersion;
            item["kind"] = type.Kind;
            Initialize(type, item);
            Admission?.Invoke(type, item, null);
            if (dryRun)
            {
                return item;
            }

            Store(type, null, item);
            return Served(type, item);
        }
    }

    /// <summary>
    /// Replaces an object with what <paramref name="change"/> makes of it (a PUT body, or the current
    /// object patched). Through the status subresource only status changes; through the main resource
    /// status is kept when the type has a status subresource.
    /// </summary>
    public JsonObject Update(ResourceType type, string? ns, string name, Func<JsonObject, JsonObject> change, bool statusOnly, bool dryRun)
    {
        lock (_lock)
        {
            var current = Find(type, ns, name) ?? throw KubeApiException.NotFound(type, name);
            var proposed = change((JsonObject)Served(type, current));
            var metadata = proposed["metadata"] as JsonObject ?? throw KubeApiException.BadRequest("metadata is required");
            if (metadata["name"]?.GetValue<string>() is { } given && given != name)
            {
                throw KubeApiException.BadRequest($"the name of the object ({given}) does not match the name on the URL ({name})");
            }

            if (metadata["resourceVersion"]?.GetValue<string>() is { Length: > 0 } version && version != Version(current))
            {
                throw KubeApiException.Conflict(type, name);
            }

            var updated = statusOnly ? (JsonObject)current.DeepClone() : proposed;
            if (statusOnly)
            {
                updated["status"] = proposed["status"]?.DeepClone();
            }
            else if (type.HasStatus && current["status"] is { } status)
            {
                updated["status"] = status.DeepClone();
            }
            else if (type.HasStatus)
            {
                updated.Remove("status");
            }

            var updatedMetadata = (JsonObject)updated["metadata"]!;
            foreach (var kept in new[] { "uid", "creationTimestamp", "namespace", "generation" })
            {
                updatedMetadata[kept] = current["metadata"]![kept]?.DeepClone();
            }

            updatedMetadata["name"] = name;
            updatedMetadata.Remove("resourceVersion");
            updated["apiVersion"] = type.ApiVersion;
            updated["kind"] = type.Kind;
            Default(type, updated);
            if (!type.SpecLess && !statusOnly && !JsonNode.DeepEquals(Spec(current), Spec(updated)))
            {
                updatedMetadata["generation"] = (current["metadata"]!["generation"] is { } generation ? long.Parse(generation.ToJsonString(), CultureInfo.InvariantCulture) : 0) + 1;
            }

            // A write that changes nothing is not a change: no new resourceVersion, no watch event.
            if (JsonNode.DeepEquals(Comparable(current), Comparable(updated)))
            {
                return Served(type, current);
            }

            Admission?.Invoke(type, updated, current);
            if (dryRun)
            {
                updatedMetadata["resourceVersion"] = Version(current);
                return updated;
            }

            Store(type, current, updated);
            return Served(type, updated);
        }
    }

    public JsonObject Delete(ResourceType type, string? ns, string name, string? expectedVersion, bool dryRun)
    {
        lock (_lock)
        {
            var current = Find(type, ns, name) ?? throw KubeApiException.NotFound(type, name);
            if (expectedVersion is { Length: > 0 } && expectedVersion != Version(current))
            {
                throw KubeApiException.Conflict(type, name);
            }

            if (!dryRun)
            {
                Remove(type, current);
            }

            return Served(type, current);
        }
    }

    public Watcher Watch(ResourceType type, string? ns, string? fromVersion, Func<JsonObject, bool> filter)
    {
        lock (_lock)
        {
            var watcher = new Watcher(type, ns, filter, w =>
            {
                lock (_lock)
                {
                    _watchers.Remove(w);
                }
            });
            if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
            {
                foreach (var item in Bucket(type).Values.Where(i => (ns is null || Namespace(i) == ns) && filter(i)))
                {
                    watcher.Send("ADDED", item);
                }
            }
            else
            {
                if (!long.TryParse(fromVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                {
                    throw KubeApiException.BadRequest($"invalid resource version \"{fromVersion}\"");
                }

                if (from < _compactedThrough)
                {
                    throw KubeApiException.Gone($"too old resource version: {from} ({_compactedThrough + 1})");
                }

                foreach (var change in _history.Where(c => c.ResourceVersion > from))
                {
                    watcher.Offer(change);
                }
            }

            _watchers.Add(watcher);
            return watcher;
        }
    }

    /// <summary>Ends every open watch, as when the server drops its connections.</summary>
    public void CloseWatches()
    {
        lock (_lock)
        {
            _watchers.ForEach(w => w.Close());
            _watchers.Clear();
        }
    }

    /// <summary>Forgets the change history up to now, so any watch resuming from before gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }
}
