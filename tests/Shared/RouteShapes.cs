using System.Text.Json.Nodes;

namespace CanaryPilot.Testing;

/// <summary>What of a Gateway API route must stay as a team wrote it while CanaryPilot moves the weights.</summary>
internal static class RouteShapes
{
    /// <summary>The route's spec with every backendRef's weight taken out.</summary>
    public static JsonNode WithoutWeights(JsonObject route)
    {
        var spec = route["spec"]!.DeepClone();
        foreach (var backend in spec["rules"]!.AsArray().SelectMany(r => r!["backendRefs"]!.AsArray()))
        {
            backend!.AsObject().Remove("weight");
        }

        return spec;
    }
}
