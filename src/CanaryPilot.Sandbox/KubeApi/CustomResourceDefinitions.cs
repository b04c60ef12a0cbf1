using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>Turns a CustomResourceDefinition into the resource types it serves, as the real server does once it is established.</summary>
internal static class CustomResourceDefinitions
{
    public static bool Is(ResourceType type) => type is { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" };

    public static IReadOnlyList<ResourceType> Served(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? throw Invalid(crd, "spec", "Required value");
        var group = Text(spec, "group") ?? throw Invalid(crd, "spec.group", "Required value");
        var names = spec["names"] as JsonObject ?? throw Invalid(crd, "spec.names", "Required value");
        var plural = Text(names, "plural") ?? throw Invalid(crd, "spec.names.plural", "Required value");
        var kind = Text(names, "kind") ?? throw Invalid(crd, "spec.names.kind", "Required value");
        var name = crd["metadata"]?["name"]?.GetValue<string>();
        if (name != $"{plural}.{group}")
        {
            throw Invalid(crd, "metadata.name", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group");
        }

        var scope = Text(spec, "scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            throw Invalid(crd, "spec.scope", $"Unsupported value: \"{scope}\": supported values: \"Cluster\", \"Namespaced\"");
        }

        var versions = (spec["versions"] as JsonArray ?? []).OfType<JsonObject>().Where(v => v["served"]?.GetValue<bool>() != false).ToList();
        if (versions.Count == 0)
        {
            throw Invalid(crd, "spec.versions", "Invalid value: must have at least one served version");
        }

        return versions.Select(v => new ResourceType
        {
            Group = group,
            Version = Text(v, "name") ?? throw Invalid(crd, "spec.versions.name", "Required value"),
            Plural = plural,
            Kind = kind,
            Namespaced = scope == "Namespaced",
            HasStatus = v["subresources"]?["status"] is not null,
            ShortNames = Strings(names["shortNames"]),
            Categories = Strings(names["categories"]),
            PrinterColumns = (v["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new PrinterColumn(
                Text(c, "name") ?? "",
                Text(c, "type") ?? "string",
                Text(c, "jsonPath") ?? "",
                Text(c, "description"),
                c["priority"]?.GetValue<int>() ?? 0,
                Text(c, "format"))).ToList(),
            Custom = true,
        }).ToList();
    }

    /// <summary>The status the real server's controllers give an accepted CRD.</summary>
    public static JsonObject EstablishedStatus(JsonObject crd, string now) => new()
    {
        ["acceptedNames"] = crd["spec"]?["names"]?.DeepClone(),
        ["storedVersions"] = new JsonArray([.. (crd["spec"]?["versions"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(v => v["storage"]?.GetValue<bool>() == true).Select(v => (JsonNode)v["name"]!.GetValue<string>())]),
        ["conditions"] = new JsonArray(
            Condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
            Condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now)),
    };

    private static JsonObject Condition(string type, string reason, string message, string now) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["lastTransitionTime"] = now,
        ["reason"] = reason,
        ["message"] = message,
    };

    private static string? Text(JsonObject node, string field) => node[field] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    private static List<string> Strings(JsonNode? node) => (node as JsonArray ?? []).Select(n => n?.ToString()).OfType<string>().ToList();

    private static KubeApiException Invalid(JsonObject crd, string field, string message) => KubeApiException.Invalid(
        new ResourceType { Group = "apiextensions.k8s.io", Version = "v1", Plural = "customresourcedefinitions", Kind = "CustomResourceDefinition" },
        crd["metadata"]?["name"]?.ToString() ?? "", field, message);
}
