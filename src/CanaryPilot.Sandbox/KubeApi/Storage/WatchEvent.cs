using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Storage;

/// <summary>One change as a watch reports it: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.</summary>
public sealed record WatchEvent(string Type, JsonObject Item);

/// <summary>A change as the store recorded it, kept for watches that resume from an older resourceVersion.</summary>
internal sealed record StoredChange(long ResourceVersion, string StorageKey, string? Namespace, JsonObject? Before, JsonObject? After);
