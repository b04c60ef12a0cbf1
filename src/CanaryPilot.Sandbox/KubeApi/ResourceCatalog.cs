namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// The resources served, by group/version/plural: the built-in ones, Istio's networking kinds, and
/// any a CustomResourceDefinition adds while the emulator runs.
/// </summary>
public sealed class ResourceCatalog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Version, string Plural), ResourceType> _types = [];
    private readonly Dictionary<string, string> _crdOwners = new(StringComparer.Ordinal);

    public ResourceCatalog()
    {
        foreach (var type in BuiltInResources.All)
        {
            Add(type);
        }
    }

    public ResourceType? Find(string group, string version, string plural)
    {
        lock (_lock)
        {
            return _types.GetValueOrDefault((group, version, plural));
        }
    }

    /// <summary>Any served version of a group's plural; used where a version does not matter (storage, cascades).</summary>
    public IReadOnlyList<ResourceType> All()
    {
        lock (_lock)
        {
            return [.. _types.Values];
        }
    }

    public IReadOnlyList<string> Groups() => All().Select(t => t.Group).Where(g => g.Length > 0).Distinct().Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> Versions(string group) =>
        All().Where(t => t.Group == group).Select(t => t.Version).Distinct().OrderByDescending(VersionPriority).ToList();

    public IReadOnlyList<ResourceType> InGroupVersion(string group, string version) =>
        All().Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal).ToList();

    /// <summary>Serves the versions a CRD declares, replacing what an earlier version of the CRD served.</summary>
    public void Register(string crdName, IReadOnlyList<ResourceType> versions)
    {
        lock (_lock)
        {
            Unregister(crdName);
            foreach (var type in versions)
            {
                _types[(type.Group, type.Version, type.Plural)] = type;
            }

            _crdOwners[crdName] = $"{versions[0].Group}/{versions[0].Plural}";
        }
    }

    public void Unregister(string crdName)
    {
        lock (_lock)
        {
            if (_crdOwners.Remove(crdName, out var key))
            {
                foreach (var stale in _types.Where(t => t.Value.StorageKey == key).Select(t => t.Key).ToList())
                {
                    _types.Remove(stale);
                }
            }
        }
    }

    private void Add(ResourceType type) => _types[(type.Group, type.Version, type.Plural)] = type;

    /// <summary>Kubernetes version priority: GA before beta before alpha, higher numbers first.</summary>
    public static (int Stability, int Major, int Minor) VersionPriority(string version)
    {
        var match = System.Text.RegularExpressions.Regex.Match(version, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!match.Success)
        {
            return (-1, 0, 0);
        }

        var stability = match.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        return (stability, int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups[3].Success ? int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
