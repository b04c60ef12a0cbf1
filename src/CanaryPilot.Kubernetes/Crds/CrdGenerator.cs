using System.Text.Json.Nodes;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using YamlDotNet.Serialization;

namespace CanaryPilot.Kubernetes.Crds;

/// <summary>
/// The CustomResourceDefinitions of <c>deploy/crds/</c>, generated from the C# model so the cluster's
/// schema and the CLI's reader never disagree. A test regenerates them and compares.
/// </summary>
public static class CrdGenerator
{
    public static IReadOnlyDictionary<string, string> Files()
    {
        var docs = new XmlDocs(typeof(RolloutPlan).Assembly);
        var spec = new SchemaGenerator(docs, SchemaGenerator.SpecEnumName);
        var status = new SchemaGenerator(docs, SchemaGenerator.StatusEnumName);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["rolloutplans.canarypilot.io.yaml"] = Yaml(Crd(
                "RolloutPlan", "rolloutplans", ["rp"],
                spec.Schema(typeof(RolloutPlanSpec), "How the service moves from its stable version to a canary."),
                status.Schema(typeof(RolloutStatus)),
                [
                    Column("Phase", "string", ".status.phase", "Where the rollout stands."),
                    Column("Stage", "string", ".status.stageName", "The current stage."),
                    Column("Weight", "integer", ".status.canaryWeight", "The canary's share of traffic."),
                    Column("Last analysis", "string", ".status.lastAnalysis.verdict", "The verdict of the last analysis."),
                    Column("Age", "date", ".metadata.creationTimestamp", null),
                ])),
            ["analysistemplates.canarypilot.io.yaml"] = Yaml(Crd(
                "AnalysisTemplate", "analysistemplates", ["at"],
                spec.Schema(typeof(AnalysisTemplateSpec), "A PromQL query with declared arguments."),
                null,
                [Column("Age", "date", ".metadata.creationTimestamp", null)])),
        };
    }

    private static JsonObject Crd(string kind, string plural, string[] shortNames, JsonObject specSchema, JsonObject? statusSchema, JsonObject[] columns)
    {
        var properties = new JsonObject
        {
            ["apiVersion"] = new JsonObject { ["type"] = "string" },
            ["kind"] = new JsonObject { ["type"] = "string" },
            ["metadata"] = new JsonObject { ["type"] = "object" },
            ["spec"] = specSchema,
        };
        var version = new JsonObject
        {
            ["name"] = "v1alpha1",
            ["served"] = true,
            ["storage"] = true,
            ["schema"] = new JsonObject
            {
                ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["required"] = new JsonArray("spec"), ["properties"] = properties },
            },
            ["additionalPrinterColumns"] = new JsonArray(columns),
        };
        if (statusSchema is not null)
        {
            properties["status"] = statusSchema;
            version["subresources"] = new JsonObject { ["status"] = new JsonObject() };
        }

        return new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = $"{plural}.{RolloutPlan.ApiGroup}" },
            ["spec"] = new JsonObject
            {
                ["group"] = RolloutPlan.ApiGroup,
                ["scope"] = "Namespaced",
                ["names"] = new JsonObject
                {
                    ["kind"] = kind,
                    ["listKind"] = kind + "List",
                    ["plural"] = plural,
                    ["singular"] = kind.ToLowerInvariant(),
                    ["shortNames"] = new JsonArray([.. shortNames.Select(s => (JsonNode)s)]),
                    ["categories"] = new JsonArray("canarypilot"),
                },
                ["versions"] = new JsonArray(version),
            },
        };
    }

    private static JsonObject Column(string name, string type, string path, string? description)
    {
        var column = new JsonObject { ["name"] = name, ["type"] = type, ["jsonPath"] = path };
        if (description is not null)
        {
            column["description"] = description;
        }

        return column;
    }

    private static string Yaml(JsonObject crd)
    {
        var serializer = new SerializerBuilder().WithQuotingNecessaryStrings().Build();
        return "# Generated from the C# model by CrdGenerator; regenerate with: CANARYPILOT_WRITE_CRDS=1 scripts/test --filter Crd\n" +
            serializer.Serialize(Plain(crd));
    }

    /// <summary>JSON nodes as the plain dictionaries, lists and scalars YamlDotNet writes.</summary>
    private static object? Plain(JsonNode? node) => node switch
    {
        JsonObject o => o.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray a => a.Select(Plain).ToList(),
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v => v.ToString(),
        _ => null,
    };
}
