namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// Orders resourceVersions where they can be ordered. The API calls them opaque, but etcd's (and the
/// sandbox's) are increasing integers; when both are, a late watch event never undoes a newer write's
/// response in the cache. When either is not, the later arrival wins.
/// </summary>
internal static class ResourceVersions
{
    public static bool IsOlder(string candidate, string current) =>
        ulong.TryParse(candidate, out var a) && ulong.TryParse(current, out var b) && a < b;
}
