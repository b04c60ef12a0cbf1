using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>RolloutStatus as the CRD's status schema holds it: camelCase fields, PascalCase phases, no nulls.</summary>
public static class StatusJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static JsonObject Write(RolloutStatus status) => JsonSerializer.SerializeToNode(status, Options)!.AsObject();

    public static RolloutStatus Read(JsonNode? status) => status is JsonObject node ? node.Deserialize<RolloutStatus>(Options) ?? new RolloutStatus() : new RolloutStatus();
}
