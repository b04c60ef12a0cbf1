using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio;

/// <summary>A read-only view of a DestinationRule document; without a namespace it is in <paramref name="defaultNamespace"/>.</summary>
public sealed class DestinationRuleView(SourceDocument document, string? defaultNamespace = null)
{
    public SourceDocument Document { get; } = document;

    public MappingNode Spec { get; } = document.Root.Mapping("spec") ?? new MappingNode(document.Root.Position, []);

    public string? Host => Spec.Scalar("host");

    public string? Namespace => Document.Namespace ?? defaultNamespace;

    public IReadOnlyList<MappingNode> Subsets => Spec.Sequence("subsets").OfType<MappingNode>().ToList();

    public bool Serves(string host, string? hostNamespace) =>
        Host is { } own && HostName.Same(own, Namespace, host, hostNamespace);

    public bool Defines(string subset) => Subsets.Any(s => s.Scalar("name") == subset);
}
