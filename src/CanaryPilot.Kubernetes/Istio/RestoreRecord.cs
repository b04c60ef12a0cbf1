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

    /// <summary>The canary destination's responses set the sticky-session cookie; <see cref="CanaryHeaders"/> holds what it had before.</summary>
    public bool CookieSet { get; set; }

    /// <summary>The canary destination's <c>headers</c> before the sticky-session cookie was added; null when it had none.</summary>
    public JsonObject? CanaryHeaders { get; set; }

    /// <summary>
    /// Ends a driven route's split, a VirtualService route's destinations or an HTTPRoute rule's backendRefs alike: all
    /// to the canary when <paramref name="promoted"/> (added by <paramref name="addCanary"/> when missing); else all back
    /// to the stable as the route was — a canary CanaryPilot added removed, one the team had kept at 0, and the
    /// stable's weight written or left out as it was.
    /// </summary>
    public void EndSplit(JsonArray destinations, JsonObject stable, JsonObject? canary, bool promoted, Func<JsonObject> addCanary)
    {
        if (promoted)
        {
            stable["weight"] = 0;
            (canary ?? addCanary())["weight"] = 100;
            return;
        }

        if (canary is not null && AddedCanary)
        {
            destinations.Remove(canary);
        }
        else if (canary is not null)
        {
            canary["weight"] = 0;
        }

        if (StableWeighted || canary is not null && !AddedCanary)
        {
            stable["weight"] = 100;
        }
        else
        {
            stable.Remove("weight");
        }
    }
}
