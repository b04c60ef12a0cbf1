namespace CanaryPilot.Core.Plans;

/// <summary>
/// One side of the rollout: an Istio destination (host, and a DestinationRule subset for a
/// subset-level split, or a host of its own for a host-level split; for HTTPRoutes, a Service of its
/// own) and how metrics name it.
/// </summary>
public sealed record Destination
{
    /// <summary>
    /// The destination host as the VirtualService writes it: <c>reviews</c> or <c>reviews.bookinfo.svc.cluster.local</c>.
    /// For HTTPRoutes, the name of the side's Service, as the backendRef writes it: <c>reviews-v2</c>.
    /// </summary>
    public required string Host { get; init; }

    /// <summary>The Service port of an HTTPRoute backendRef; when unset, any port of the host matches and an added canary copies the stable's.</summary>
    public int? Port { get; init; }

    /// <summary>A subset defined by a DestinationRule for <see cref="Host"/>.</summary>
    public string? Subset { get; init; }

    /// <summary>The workload name in metrics (<c>destination_workload</c>), usually the Deployment name.</summary>
    public string? Workload { get; init; }

    /// <summary>The version label in metrics (<c>destination_version</c>).</summary>
    public string? Version { get; init; }

    /// <summary>What is being rolled out, for people and for triggers: an image tag, a commit. A new revision starts a new rollout.</summary>
    public string? Revision { get; init; }

    public override string ToString() => (Subset is null ? Host : $"{Host} subset {Subset}") + (Revision is null ? "" : $" (revision {Revision})");
}
