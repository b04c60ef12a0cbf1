using System.Text.Json.Nodes;
using k8s;

namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// A change the cache took in: an object added or modified (as it is now) or deleted (as it last was).
/// A relist reports only what differs from what the cache held.
/// </summary>
public sealed record ChangeNotice(WatchEventType Type, ResourceKind Kind, JsonObject Item)
{
    public string Namespace => Item["metadata"]?["namespace"]?.GetValue<string>() ?? "";

    public string Name => Item["metadata"]?["name"]?.GetValue<string>() ?? "";
}
