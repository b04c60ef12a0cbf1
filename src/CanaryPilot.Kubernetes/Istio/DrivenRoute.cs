using System.Text.Json.Nodes;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// A route CanaryPilot drives, with a key that survives the insertion of CanaryPilot's own routes:
/// its name, or its position among the routes that are not CanaryPilot's.
/// </summary>
internal sealed record DrivenRoute(JsonObject Node, string Key, JsonObject Stable, JsonObject? Canary);
