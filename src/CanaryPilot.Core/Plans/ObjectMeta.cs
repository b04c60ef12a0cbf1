using CanaryPilot.Core.Binding;

namespace CanaryPilot.Core.Plans;

/// <summary>
/// Kubernetes object metadata. The name, namespace, labels and annotations are read; the fields the
/// API server sets (uid, resourceVersion, managedFields, …) are accepted and ignored, so a resource
/// fetched with <c>kubectl get -o yaml</c> reads as it is. Anything else is a typo and an error.
/// </summary>
[IgnoreFields("generateName", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers", "managedFields")]
public sealed record ObjectMeta
{
    /// <summary>The plan's name, a DNS-1123 label: lower-case letters, digits and '-'.</summary>
    public required string Name { get; init; }

    /// <summary>The namespace of the plan, its service and its VirtualServices.</summary>
    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}
