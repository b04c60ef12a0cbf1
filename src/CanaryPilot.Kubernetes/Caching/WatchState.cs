namespace CanaryPilot.Kubernetes.Caching;

/// <summary>Where one watch of the cache stands.</summary>
public enum WatchState
{
    /// <summary>Not listed yet, or listing again after an error.</summary>
    Syncing,

    /// <summary>Listed, and following changes.</summary>
    Synced,

    /// <summary>The API answered the list with 404: the kind is not served (its CRD is not installed).</summary>
    NotServed,
}
