namespace CanaryPilot.Core.Plans;

public sealed record ServiceTarget
{
    /// <summary>The Kubernetes Service name, used in metric queries as <c>service</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Namespace of the service and its VirtualServices; defaults to the plan's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// The VirtualServices whose weights CanaryPilot drives, moved together (e.g. the mesh one and a
    /// gateway one). CanaryPilot adopts them as they are and changes only the weights of the routes
    /// that reach the stable destination.
    /// </summary>
    public required IReadOnlyList<VirtualServiceRef> VirtualServices { get; init; }

    /// <summary>Where traffic goes today.</summary>
    public required Destination Stable { get; init; }

    /// <summary>The new version traffic moves to.</summary>
    public required Destination Canary { get; init; }
}
