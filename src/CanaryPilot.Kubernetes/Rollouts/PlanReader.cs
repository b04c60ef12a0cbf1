using System.Collections.Concurrent;
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
/// The one path from a RolloutPlan object to a validated plan: read as the CLI reads a file, against
/// the shipped templates and the AnalysisTemplates of the plan's namespace. A plan that names an
/// invalid AnalysisTemplate carries that template's own problems, not only "unknown template". The
/// result is kept until the plan's generation or metadata, or its namespace's templates, change, so a
/// tick re-validates nothing.
/// </summary>
public sealed class PlanReader(CustomObjects objects)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly ConcurrentDictionary<string, Validated> _plans = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NamespaceTemplates> _templates = new(StringComparer.Ordinal);

    /// <summary>The plan as stored: validated (from what was kept when nothing changed), with its status.</summary>
    public async Task<StoredRollout> ReadAsync(JsonObject item, CancellationToken cancellationToken)
    {
        var metadata = item["metadata"]!;
        var (ns, name) = (metadata["namespace"]!.GetValue<string>(), metadata["name"]!.GetValue<string>());
        var generation = metadata["generation"]?.GetValue<long>() ?? 0;
        var templates = await TemplatesAsync(ns, cancellationToken);
        var key = $"{generation}\n{templates.Key}\n{metadata["labels"]?.ToJsonString()}\n{metadata["annotations"]?.ToJsonString()}";
        if (!_plans.TryGetValue($"{ns}/{name}", out var validated) || validated.Key != key)
        {
            var (plan, problems) = Validate(item, templates);
            validated = new Validated(key, plan, problems);
            _plans[$"{ns}/{name}"] = validated;
        }

        return new StoredRollout(
            ns,
            name,
            validated.Plan,
            validated.Problems,
            StatusJson.Read(item["status"]),
            generation,
            metadata["resourceVersion"]?.GetValue<string>() ?? "",
            templates.Catalog,
            metadata["annotations"]?[DrivingRule.DriverAnnotation]?.GetValue<string>());
    }

    /// <summary>Validates a plan as it would be after a change (a trigger's), keeping nothing.</summary>
    public async Task<(RolloutPlan? Plan, IReadOnlyList<Diagnostic> Problems)> ValidateAsync(JsonObject item, CancellationToken cancellationToken) =>
        Validate(item, await TemplatesAsync(item["metadata"]?["namespace"]?.GetValue<string>() ?? "", cancellationToken));

    /// <summary>Drops what was kept of a deleted plan.</summary>
    public void Forget(string namespaceName, string name) => _plans.TryRemove($"{namespaceName}/{name}", out _);

    private static (RolloutPlan? Plan, IReadOnlyList<Diagnostic> Problems) Validate(JsonObject item, NamespaceTemplates templates)
    {
        var metadata = item["metadata"]!;
        var file = $"rolloutplan {metadata["namespace"]}/{metadata["name"]}";
        var report = PlanValidation.Validate(new InputLoader().LoadText(file, item.ToJsonString(Indented)), templates.Catalog);
        var problems = report.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
        if (report.ValidPlans.Count == 1)
        {
            return (report.ValidPlans[0], problems);
        }

        // The plan may be invalid only because a template it names is: say what is wrong with that template.
        var named = (item["spec"]?["analysis"]?["metrics"] as JsonArray ?? []).Select(m => m?["template"]?.GetValue<string>()).OfType<string>();
        problems.AddRange(named.Distinct(StringComparer.Ordinal).SelectMany(t => templates.Invalid.GetValueOrDefault(t) ?? []));
        return (null, problems);
    }

    /// <summary>The shipped templates, overridden by the AnalysisTemplates of the namespace; rebuilt only when those change.</summary>
    private async Task<NamespaceTemplates> TemplatesAsync(string namespaceName, CancellationToken cancellationToken)
    {
        var items = await objects.ListAsync(CanaryPilotResources.AnalysisTemplates, namespaceName, cancellationToken);
        var key = string.Join(',', items.Select(t => $"{t["metadata"]?["name"]}@{t["metadata"]?["resourceVersion"]}").Order(StringComparer.Ordinal));
        if (_templates.TryGetValue(namespaceName, out var held) && held.Key == key)
        {
            return held;
        }

        var catalog = TemplateCatalog.BuiltIn();
        var invalid = new Dictionary<string, IReadOnlyList<Diagnostic>>(StringComparer.Ordinal);
        foreach (var template in items)
        {
            var name = template["metadata"]?["name"]?.GetValue<string>() ?? "";
            var input = new InputLoader().LoadText($"analysistemplate {namespaceName}/{name}", template.ToJsonString(Indented));
            var problems = input.Diagnostics.Concat(input.Documents.SelectMany(d => catalog.Add(d))).Where(d => d.Severity == Severity.Error).ToList();
            if (problems.Count > 0)
            {
                invalid[name] = problems;
            }
        }

        var built = new NamespaceTemplates(key, catalog, invalid);
        _templates[namespaceName] = built;
        return built;
    }

    private sealed record Validated(string Key, RolloutPlan? Plan, IReadOnlyList<Diagnostic> Problems);

    private sealed record NamespaceTemplates(string Key, TemplateCatalog Catalog, IReadOnlyDictionary<string, IReadOnlyList<Diagnostic>> Invalid);
}
