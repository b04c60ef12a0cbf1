using System.Collections.Concurrent;
using k8s;

namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// The objects one watch keeps, by namespace and name, and what changes when they are replaced by a
/// list, changed by an event or written by CanaryPilot. A write's response never replaces something
/// newer the watch already brought, nor a watch event something newer a write returned.
/// </summary>
internal sealed class WatchedObjects
{
    private readonly ConcurrentDictionary<string, CachedObject> _objects = new(StringComparer.Ordinal);

    public CachedObject? Get(string ns, string name) => _objects.GetValueOrDefault($"{ns}/{name}");

    /// <remarks>
    /// Enumerated as it stands, without a snapshot: <c>Values</c> would take every lock of the
    /// dictionary and copy thousands of entries for each caller, holding up the watch.
    /// </remarks>
    public IEnumerable<CachedObject> In(string? ns) => _objects.Select(p => p.Value).Where(o => ns is null || o.Namespace == ns);

    /// <summary>Takes in an object as written or as a watch reported it, unless what is held is newer.</summary>
    public void Put(CachedObject found) =>
        _objects.AddOrUpdate(found.Key, found, (_, held) => ResourceVersions.IsOlder(found.ResourceVersion, held.ResourceVersion) ? held : found);

    public void Remove(CachedObject gone) => _objects.TryRemove(gone.Key, out _);

    /// <summary>Replaces everything with what a list returned; returns what differs from what was held.</summary>
    public IReadOnlyList<(WatchEventType Type, CachedObject Object)> Replace(IReadOnlyDictionary<string, CachedObject> listed)
    {
        var changes = new List<(WatchEventType, CachedObject)>();
        foreach (var (key, held) in _objects)
        {
            if (!listed.ContainsKey(key) && _objects.TryRemove(key, out _))
            {
                changes.Add((WatchEventType.Deleted, held));
            }
        }

        foreach (var (key, found) in listed)
        {
            var before = _objects.GetValueOrDefault(key);
            _objects[key] = found;
            if (before?.ResourceVersion != found.ResourceVersion)
            {
                changes.Add((before is null ? WatchEventType.Added : WatchEventType.Modified, found));
            }
        }

        return changes;
    }
}
