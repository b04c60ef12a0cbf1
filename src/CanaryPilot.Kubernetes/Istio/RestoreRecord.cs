using System.Text.Json;
using System.Text.Json.Nodes;

namespace CanaryPilot.Kubernetes.Istio;

/// <summary>
/// What CanaryPilot changed in a user's resource beyond the weights, kept in the resource's own
/// <c>canarypilot.io/restore</c> annotation so any replica can undo it exactly: destinations it
/// added, fields it replaced, and whether the annotations map was its own doing.
/// </summary>
internal sealed class RestoreRecord
{
    public const string Annotation = "canarypilot.io/restore";

    public required string Plan { get; init; }

    public bool AnnotationsCreated { get; set; }

    /// <summary>Per driven route key: what it was before CanaryPilot first touched it.</summary>
    public Dictionary<string, RouteRecord> Routes { get; init; } = [];

    /// <summary>Subsets CanaryPilot added to a DestinationRule.</summary>
    public List<string> AddedSubsets { get; init; } = [];

    public static RestoreRecord? Read(JsonObject resource)
    {
        var text = resource["metadata"]?["annotations"]?[Annotation]?.GetValue<string>();
        return text is null ? null : JsonSerializer.Deserialize<RestoreRecord>(text, Json);
    }

    public static RestoreRecord ReadOrStart(JsonObject resource, string plan)
    {
        var record = Read(resource);
        if (record is not null && record.Plan != plan)
        {
            var name = resource["metadata"]?["name"];
            throw new Core.Rollouts.TrafficRoutingException($"{resource["kind"]} {name} is being driven by rollout plan {record.Plan}; one resource is driven by one plan at a time");
        }

        return record ?? new RestoreRecord { Plan = plan };
    }

    public void Write(JsonObject resource)
    {
        var metadata = (JsonObject)resource["metadata"]!;
        if (metadata["annotations"] is not JsonObject annotations)
        {
            annotations = [];
            metadata["annotations"] = annotations;
            AnnotationsCreated = true;
        }

        annotations[Annotation] = JsonSerializer.Serialize(this, Json);
    }

    public void Remove(JsonObject resource)
    {
        var metadata = (JsonObject)resource["metadata"]!;
        if (metadata["annotations"] is JsonObject annotations)
        {
            annotations.Remove(Annotation);
            if (AnnotationsCreated && annotations.Count == 0)
            {
                metadata.Remove("annotations");
            }
        }
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

internal sealed class RouteRecord
{
    /// <summary>The canary destination was added by CanaryPilot, next to the stable one.</summary>
    public bool AddedCanary { get; set; }

    /// <summary>The stable destination carried an explicit weight before.</summary>
    public bool StableWeighted { get; set; }

    /// <summary>The route's mirror fields before a mirror stage replaced them; null when none was replaced.</summary>
    public JsonObject? Mirror { get; set; }
}
