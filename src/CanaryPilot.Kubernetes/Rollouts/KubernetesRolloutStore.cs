using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>
/// <see cref="IRolloutStore"/> on RolloutPlan custom resources. Each plan is read and validated as the
/// CLI reads a file (with the AnalysisTemplates of its namespace); an invalid one is returned with its
/// problems, so one bad object never stops the others. Status goes through the status subresource.
/// </summary>
public sealed class KubernetesRolloutStore(CustomObjects objects, RolloutStoreOptions options) : IRolloutStore
{
    private const string Version = "v1alpha1";
    private const string Plural = "rolloutplans";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken)
    {
        var namespaces = options.Namespaces.Count == 0 ? [null] : options.Namespaces.Select(n => (string?)n).ToList();
        var rollouts = new List<StoredRollout>();
        foreach (var ns in namespaces)
        {
            var items = await objects.ListAsync(RolloutPlan.ApiGroup, Version, ns, Plural, cancellationToken);
            foreach (var group in items.GroupBy(i => i["metadata"]?["namespace"]?.GetValue<string>() ?? ""))
            {
                var templates = await TemplatesAsync(group.Key, cancellationToken);
                rollouts.AddRange(group.Select(item => Read(item, templates)));
            }
        }

        return rollouts;
    }

    public async Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken)
    {
        var item = await objects.GetAsync(Resource(namespaceName, name), cancellationToken);
        return item is null ? null : Read(item, await TemplatesAsync(namespaceName, cancellationToken));
    }

    /// <summary>Reads a plan as a watch delivered it, e.g. the last state of a deleted one.</summary>
    public async Task<StoredRollout> ReadAsync(JsonObject item, CancellationToken cancellationToken) =>
        Read(item, await TemplatesAsync(item["metadata"]?["namespace"]?.GetValue<string>() ?? "", cancellationToken));

    public async Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken)
    {
        var written = await objects.UpdateAsync(
            Resource(namespaceName, name),
            item => item["status"] = StatusJson.Write(change(StatusJson.Read(item["status"]))),
            status: true,
            cancellationToken);
        return StatusJson.Read(written["status"]);
    }

    private static StoredRollout Read(JsonObject item, TemplateCatalog templates)
    {
        var metadata = item["metadata"]!;
        var (ns, name) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        var report = PlanValidation.Validate(new InputLoader().LoadText($"rolloutplan {ns}/{name}", item.ToJsonString(Indented)), templates);
        var plan = report.ValidPlans.Count == 1 ? report.ValidPlans[0] : null;
        return new StoredRollout(
            ns,
            name,
            plan,
            report.Diagnostics.Where(d => d.Severity == Severity.Error).ToList(),
            StatusJson.Read(item["status"]),
            metadata["generation"]?.GetValue<long>() ?? 0,
            metadata["resourceVersion"]?.GetValue<string>() ?? "",
            templates);
    }

    /// <summary>The shipped templates, overridden by the AnalysisTemplates of the namespace.</summary>
    private async Task<TemplateCatalog> TemplatesAsync(string namespaceName, CancellationToken cancellationToken)
    {
        var catalog = TemplateCatalog.BuiltIn();
        foreach (var template in await objects.ListAsync(RolloutPlan.ApiGroup, Version, namespaceName, "analysistemplates", cancellationToken))
        {
            var name = template["metadata"]?["name"];
            catalog.Add(new InputLoader().LoadText($"analysistemplate {namespaceName}/{name}", template.ToJsonString(Indented)).Documents[0]);
        }

        return catalog;
    }

    private static ResourceRef Resource(string namespaceName, string name) => new(RolloutPlan.ApiGroup, Version, namespaceName, Plural, name);
}
