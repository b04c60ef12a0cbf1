using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio;

/// <summary>
/// A read-only view of a VirtualService document, with the paths of its parts. A document without
/// a namespace is taken to be in <paramref name="defaultNamespace"/>, as <c>kubectl apply -n</c> would place it.
/// </summary>
public sealed class VirtualServiceView(SourceDocument document, string? defaultNamespace = null)
{
    public SourceDocument Document { get; } = document;

    public MappingNode Spec { get; } = document.Root.Mapping("spec") ?? new MappingNode(document.Root.Position, []);

    public string? Namespace => Document.Namespace ?? defaultNamespace;

    public IReadOnlyList<ScalarNode> Hosts => Spec.Sequence("hosts").OfType<ScalarNode>().ToList();

    public IReadOnlyList<ScalarNode> Gateways => Spec.Sequence("gateways").OfType<ScalarNode>().ToList();

    public IReadOnlyList<RouteView> Http => Routes("http");

    /// <summary>The tcp and tls routes, which carry weighted destinations too.</summary>
    public IReadOnlyList<RouteView> TcpAndTls => [.. Routes("tcp"), .. Routes("tls")];

    public IEnumerable<RouteView> AllRoutes => Http.Concat(TcpAndTls);

    /// <summary>Every host traffic is routed or mirrored to, as written.</summary>
    public IEnumerable<string> DestinationHosts => AllRoutes.SelectMany(r => r.Destinations.Select(d => d.Host).Concat(r.Mirrors.Select(m => m.Host))).OfType<string>();

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

    /// <summary>The mirror targets: <c>mirror</c>, and each <c>mirrors[].destination</c>.</summary>
    public IReadOnlyList<MirrorTarget> Mirrors
    {
        get
        {
            var mirrors = new List<MirrorTarget>();
            if (Node.Mapping("mirror") is { } mirror)
            {
                mirrors.Add(new MirrorTarget(mirror, mirror.Scalar("host"), mirror.Scalar("subset"), $"{Path}.mirror"));
            }

            var items = Node.Sequence("mirrors");
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is MappingNode policy)
                {
                    var destination = policy.Mapping("destination") ?? policy;
                    mirrors.Add(new MirrorTarget(destination, destination.Scalar("host"), destination.Scalar("subset"), $"{FieldPath.Index($"{Path}.mirrors", i)}.destination"));
                }
            }

            return mirrors;
        }
    }

    public string Describe(int index) => Name is { } name ? $"\"{name}\"" : $"{Kind}[{index}] (unnamed)";
}

/// <summary>Where a route mirrors traffic to.</summary>
public sealed record MirrorTarget(MappingNode Node, string? Host, string? Subset, string Path);

/// <summary>A weighted destination of a route.</summary>
public sealed record RouteDestination(MappingNode Node, string? Host, string? Subset, ScalarNode? Weight, string Path)
{
    public static RouteDestination From(MappingNode node, string path)
    {
        var destination = node.Mapping("destination");
        return new RouteDestination(node, destination?.Scalar("host"), destination?.Scalar("subset"), node["weight"] as ScalarNode, path);
    }
}
