using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.GatewayApi;

/// <summary>
/// A read-only view of an HTTPRoute or GRPCRoute document, with the paths of its parts. A document without a
/// namespace is taken to be in <paramref name="defaultNamespace"/>, as <c>kubectl apply -n</c> would place it.
/// </summary>
public sealed class GatewayRouteView(SourceDocument document, string? defaultNamespace = null)
{
    public SourceDocument Document { get; } = document;

    public MappingNode Spec { get; } = document.Root.Mapping("spec") ?? new MappingNode(document.Root.Position, []);

    public string? Namespace => Document.Namespace ?? defaultNamespace;

    public IReadOnlyList<ParentRefView> ParentRefs =>
        Spec.Sequence("parentRefs").Select((node, i) => (node, i)).Where(p => p.node is MappingNode)
            .Select(p => new ParentRefView((MappingNode)p.node, FieldPath.Index("spec.parentRefs", p.i), Namespace)).ToList();

    public IReadOnlyList<RuleView> Rules =>
        Spec.Sequence("rules").Select((node, i) => (node, i)).Where(r => r.node is MappingNode)
            .Select(r => new RuleView(this, (MappingNode)r.node, FieldPath.Index("spec.rules", r.i), r.i)).ToList();
}

/// <summary>A parentRef, with Gateway API's defaults: kind Gateway of group gateway.networking.k8s.io, the route's namespace.</summary>
public sealed record ParentRefView(MappingNode Node, string Path, string? RouteNamespace)
{
    public string Kind => Node.Scalar("kind") ?? GatewayApiKinds.Gateway;

    public string Group => Node.Scalar("group") ?? GatewayApiKinds.Group;

    public string? Name => Node.Scalar("name");

    public string? Namespace => Node.Scalar("namespace") ?? RouteNamespace;

    /// <summary>A Service parent: the route is a mesh (GAMMA) route, applied by the Service's waypoint or the clients' sidecars.</summary>
    public bool IsService => Kind == "Service" && Group.Length == 0;

    public bool IsGateway => Kind == GatewayApiKinds.Gateway && Group == GatewayApiKinds.Group;
}

/// <summary>One rule of a route.</summary>
public sealed record RuleView(GatewayRouteView Route, MappingNode Node, string Path, int Index)
{
    public string? Name => Node.Scalar("name");

    public IReadOnlyList<BackendRefView> BackendRefs =>
        Node.Sequence("backendRefs").Select((node, i) => (node, i)).Where(b => b.node is MappingNode)
            .Select(b => new BackendRefView((MappingNode)b.node, FieldPath.Index($"{Path}.backendRefs", b.i), Route.Namespace)).ToList();

    /// <summary>The rule's backendRefs and its RequestMirror filters' backendRefs: every Service it sends requests to.</summary>
    public IEnumerable<BackendRefView> AllBackendRefs => BackendRefs.Concat(
        Node.Sequence("filters").Select((node, i) => (node, i))
            .Where(f => f.node is MappingNode filter && filter.Mapping("requestMirror")?.Mapping("backendRef") is not null)
            .Select(f => new BackendRefView(((MappingNode)f.node).Mapping("requestMirror")!.Mapping("backendRef")!, $"{FieldPath.Index($"{Path}.filters", f.i)}.requestMirror.backendRef", Route.Namespace)));

    public string Describe() => Name is { } name ? $"rule \"{name}\"" : $"rules[{Index}]";
}

/// <summary>A backendRef: a Service (kind Service of the core group, unless given), in the route's namespace unless given.</summary>
public sealed record BackendRefView(MappingNode Node, string Path, string? RouteNamespace)
{
    public string? Name => Node.Scalar("name");

    public string? Namespace => Node.Scalar("namespace") ?? RouteNamespace;

    public bool CrossesNamespace => Node.Scalar("namespace") is { } ns && ns != RouteNamespace;

    public bool IsService => (Node.Scalar("kind") ?? "Service") == "Service" && (Node.Scalar("group") ?? "").Length == 0;

    public ScalarNode? Weight => Node["weight"] as ScalarNode;

    public int? Port => Node.Scalar("port") is { } port && int.TryParse(port, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : null;
}
