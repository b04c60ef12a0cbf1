namespace CanaryPilot.Core.Plans;

public sealed record ServiceTarget
{
    /// <summary>The Kubernetes Service name, used in metric queries as <c>service</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Namespace of the service and its routes; defaults to the plan's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// The VirtualServices whose weights CanaryPilot drives, moved together (e.g. the mesh one and a
    /// gateway one). CanaryPilot adopts them as they are and changes only the weights of the routes
    /// that reach the stable destination. Either these or <see cref="HttpRoutes"/>.
    /// </summary>
    public IReadOnlyList<VirtualServiceRef> VirtualServices { get; init; } = [];

    /// <summary>
    /// The Gateway API HTTPRoutes whose weights CanaryPilot drives, moved together (e.g. a Service-attached
    /// mesh route and a Gateway-attached one), with one Service per version as the stable and canary
    /// backends. CanaryPilot changes only the weights of the named rule's backendRefs. Either these or
    /// <see cref="VirtualServices"/>.
    /// </summary>
    public IReadOnlyList<HttpRouteRef> HttpRoutes { get; init; } = [];

    /// <summary>Which traffic API the plan drives: HTTPRoutes when it names any, else VirtualServices.</summary>
    public RoutingKind Routing => HttpRoutes.Count > 0 ? RoutingKind.HttpRoute : RoutingKind.VirtualService;

    /// <summary>Where traffic goes today.</summary>
    public required Destination Stable { get; init; }

    /// <summary>The new version traffic moves to.</summary>
    public required Destination Canary { get; init; }
}
