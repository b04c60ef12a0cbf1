using CanaryPilot.Core.Binding;

namespace CanaryPilot.Core.Plans;

/// <summary>
/// Kubernetes object metadata. Only the name, namespace, labels and annotations are read; the
/// fields the API server sets (uid, resourceVersion, managedFields, …) are accepted and ignored.
/// </summary>
[AllowUnknownFields]
public sealed record ObjectMeta
{
    /// <summary>The plan's name, a DNS-1123 label: lower-case letters, digits and '-'.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace of the plan, its service and its VirtualServices.</summary>
    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
