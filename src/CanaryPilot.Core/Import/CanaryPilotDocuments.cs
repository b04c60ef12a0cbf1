namespace CanaryPilot.Core.Import;

/// <summary>The skeletons of the documents an import writes.</summary>
internal static class CanaryPilotDocuments
{
    public const string ApiVersion = "canarypilot.io/v1alpha1";

    public static YamlMap Plan(string name, string? ns, string origin) => new YamlMap
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = "RolloutPlan",
        ["metadata"] = new YamlMap { ["name"] = name }.Set("namespace", ns).Set("annotations", new YamlMap { ["canarypilot.io/imported-from"] = origin }),
    };

    public static YamlMap Template(string name, string? description, string query, IReadOnlyList<YamlMap> args) => new YamlMap
    {
        ["apiVersion"] = ApiVersion,
        ["kind"] = "AnalysisTemplate",
        ["metadata"] = new YamlMap { ["name"] = name },
        ["spec"] = new YamlMap().Set("description", description).Set("args", args.Count == 0 ? null : args.Cast<object?>().ToList()).Set("query", query.TrimEnd() + "\n"),
    };

    /// <summary>A RolloutPlan as a written document.</summary>
    public static ImportedDocument Written(YamlMap plan, string name, string? ns, string fromFile) => new("RolloutPlan", name, ns, plan, fromFile);
}
