using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio;

/// <summary>A read-only view of a VirtualService document, with the paths of its parts.</summary>
public sealed class VirtualServiceView(SourceDocument document)
{
    public SourceDocument Document { get; } = document;

    public MappingNode Spec { get; } = document.Root.Mapping("spec") ?? new MappingNode(document.Root.Position, []);

    public string? Namespace => Document.Namespace;

    public IReadOnlyList<ScalarNode> Hosts => Spec.Sequence("hosts").OfType<ScalarNode>().ToList();

    public IReadOnlyList<ScalarNode> Gateways => Spec.Sequence("gateways").OfType<ScalarNode>().ToList();

    public IReadOnlyList<RouteView> Http => Routes("http");

    /// <summary>The tcp and tls routes, which carry weighted destinations too.</summary>
    public IReadOnlyList<RouteView> TcpAndTls => [.. Routes("tcp"), .. Routes("tls")];

    public IEnumerable<RouteView> AllRoutes => Http.Concat(TcpAndTls);

    private List<RouteView> Routes(string kind) =>
        Spec.Sequence(kind).Select((node, i) => (node, i))
            .Where(r => r.node is MappingNode)
            .Select(r => new RouteView(this, (MappingNode)r.node, kind, FieldPath.Index($"spec.{kind}", r.i)))
            .ToList();
}

/// <summary>One http, tcp or tls route of a VirtualService.</summary>
public sealed record RouteView(VirtualServiceView VirtualService, MappingNode Node, string Kind, string Path)
{
    public string? Name => Node.Scalar("name");

    public IReadOnlyList<RouteDestination> Destinations =>
        Node.Sequence("route").Select((node, i) => (node, i))
            .Where(d => d.node is MappingNode)
            .Select(d => RouteDestination.From((MappingNode)d.node, FieldPath.Index($"{Path}.route", d.i)))
            .ToList();

    public string Describe(int index) => Name is { } name ? $"\"{name}\"" : $"{Kind}[{index}] (unnamed)";
}

/// <summary>A weighted destination of a route.</summary>
public sealed record RouteDestination(MappingNode Node, string? Host, string? Subset, ScalarNode? Weight, string Path)
{
    public static RouteDestination From(MappingNode node, string path)
    {
        var destination = node.Mapping("destination");
        return new RouteDestination(node, destination?.Scalar("host"), destination?.Scalar("subset"), node["weight"] as ScalarNode, path);
    }
}
