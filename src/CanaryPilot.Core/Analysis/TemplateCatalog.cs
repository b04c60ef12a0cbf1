using System.Reflection;
using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Analysis;

/// <summary>
/// The analysis templates a plan may name: the ones shipped with CanaryPilot, overridden by any the
/// user supplies under the same name.
/// </summary>
public sealed class TemplateCatalog
{
    private readonly Dictionary<string, AnalysisTemplate> _templates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _userNames = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _templates.Keys;

    public AnalysisTemplate? Find(string name) => _templates.GetValueOrDefault(name);

    /// <summary>The template a metric of <paramref name="plan"/> naming <paramref name="name"/> reads: see <see cref="Resolve"/>.</summary>
    public AnalysisTemplate? Find(string name, RolloutPlan plan) => Find(Resolve(name, plan));

    /// <summary>
    /// The template's name for the plan's telemetry: a plan on HTTPRoutes (ambient mode, where only a waypoint reports
    /// HTTP metrics, as <c>reporter="waypoint"</c>) that names a shipped <c>istio-…</c> template reads its
    /// <c>istio-waypoint-…</c> twin, unless the user supplied either. Any other name is taken as written.
    /// </summary>
    public string Resolve(string name, RolloutPlan plan)
    {
        const string Prefix = "istio-";
        const string WaypointPrefix = "istio-waypoint-";
        if (plan.Spec.Service.Routing != RoutingKind.HttpRoute || !name.StartsWith(Prefix, StringComparison.Ordinal) || name.StartsWith(WaypointPrefix, StringComparison.Ordinal))
        {
            return name;
        }

        var twin = WaypointPrefix + name[Prefix.Length..];
        return _templates.ContainsKey(twin) && !_userNames.Contains(name) && !_userNames.Contains(twin) ? twin : name;
    }

    /// <summary>One unit of <paramref name="template"/>'s value as a share of requests: 0.01 for percent, 1 for ratio, null for any other unit.</summary>
    public static double? ShareUnit(AnalysisTemplate template) => template.Spec.Unit?.ToLowerInvariant() switch
    {
        "percent" => 0.01,
        "ratio" => 1,
        _ => null,
    };

    /// <summary>The shipped templates, read once: every rollout's catalog starts from them, on every tick.</summary>
    private static readonly Lazy<TemplateCatalog> Shipped = new(ReadShipped);

    /// <summary>The templates from <c>analysis-templates/</c>, embedded in the binary; a new catalog each call, for the caller to add to.</summary>
    public static TemplateCatalog BuiltIn()
    {
        var catalog = new TemplateCatalog();
        foreach (var (name, template) in Shipped.Value._templates)
        {
            catalog._templates[name] = template;
        }

        return catalog;
    }

    private static TemplateCatalog ReadShipped()
    {
        var catalog = new TemplateCatalog();
        var assembly = typeof(TemplateCatalog).Assembly;
        var loader = new InputLoader();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("analysis-templates/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var input = loader.LoadText(resource, reader.ReadToEnd());
            var bad = input.Diagnostics.Concat(input.Documents.SelectMany(d => catalog.Add(d, userSupplied: false)));
            if (bad.FirstOrDefault() is { } first)
            {
                throw new InvalidOperationException($"built-in template is invalid: {first}");
            }
        }

        return catalog;
    }

    /// <summary>Adds an AnalysisTemplate document, returning what is wrong with it.</summary>
    public IReadOnlyList<Diagnostic> Add(SourceDocument document, bool userSupplied = true)
    {
        var bound = Bound.From<AnalysisTemplate>(document);
        if (bound.Value is not { } template)
        {
            return bound.Diagnostics;
        }

        var problems = Check(template, bound.Map).ToList();
        if (problems.Count > 0)
        {
            return problems;
        }

        // A user's template may replace a shipped one of the same name, but not another of the user's.
        if (userSupplied && !_userNames.Add(template.Name))
        {
            return [bound.Map.Error("metadata.name", $"AnalysisTemplate \"{template.Name}\" is defined twice")];
        }

        _templates[template.Name] = template;
        return [];
    }

    private static IEnumerable<Diagnostic> Check(AnalysisTemplate template, SourceMap map)
    {
        if (template.ApiVersion != RolloutPlan.CurrentApiVersion)
        {
            yield return map.Error("apiVersion", $"unsupported apiVersion \"{template.ApiVersion}\"; expected {RolloutPlan.CurrentApiVersion}");
        }

        var declared = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Spec.Args.Count; i++)
        {
            if (!declared.Add(template.Spec.Args[i].Name))
            {
                yield return map.Error($"spec.args[{i}].name", $"argument \"{template.Spec.Args[i].Name}\" is declared twice");
            }
        }

        var known = QueryTemplate.BuiltInVariables.Concat(declared.Select(a => QueryTemplate.ArgsPrefix + a)).ToList();
        var queries = new List<(string Field, string Query)> { ("spec.query", template.Spec.Query) };
        if (template.Spec.Counts is { } counts)
        {
            queries.Add(("spec.counts.events", counts.Events));
            queries.Add(("spec.counts.requests", counts.Requests));
            if (counts.Value is not null && ShareUnit(template) is null)
            {
                yield return map.Error("spec.counts.value", $"the counts give a share of requests, and the template's unit is {(template.Spec.Unit is { } unit ? $"\"{unit}\"" : "not given")}; set spec.unit to percent or ratio, or leave spec.counts.value out");
            }

            if (counts.Totals is { } totals)
            {
                queries.Add(("spec.counts.totals.events", totals.Events));
                queries.Add(("spec.counts.totals.requests", totals.Requests));
                foreach (var (field, query) in new[] { ("spec.counts.totals.events", totals.Events), ("spec.counts.totals.requests", totals.Requests) })
                {
                    // One query serves every rollout: nothing of one side, nor a window, may be in it.
                    foreach (var variable in QueryTemplate.Variables(query).Where(v => !v.StartsWith(QueryTemplate.ArgsPrefix, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal))
                    {
                        yield return map.Error(field, $"{{{{ {variable} }}}} differs from rollout to rollout, and the guard's query serves them all; name the workload's labels in spec.counts.totals.by instead");
                    }
                }

                if (totals.By.Count == 0)
                {
                    yield return map.Error("spec.counts.totals.by", "name the labels that tell workloads apart and the variable each holds, e.g. {destination_workload_namespace: namespace, destination_workload: workload}");
                }

                foreach (var (label, variable) in totals.By.Where(b => !QueryTemplate.BuiltInVariables.Contains(b.Value, StringComparer.Ordinal) || b.Value == "interval"))
                {
                    yield return map.Error($"spec.counts.totals.by.{label}", $"\"{variable}\" is not a variable of a side{Suggestions.DidYouMean(variable, QueryTemplate.BuiltInVariables)}; use namespace, service, workload, version or backend");
                }
            }
        }

        foreach (var (field, query) in queries)
        {
            foreach (var variable in QueryTemplate.Variables(query).Distinct(StringComparer.Ordinal))
            {
                if (!known.Contains(variable, StringComparer.Ordinal))
                {
                    var hint = variable.StartsWith(QueryTemplate.ArgsPrefix, StringComparison.Ordinal)
                        ? $"; declare it under spec.args{Suggestions.DidYouMean(variable, known)}"
                        : $"; known variables are {string.Join(", ", QueryTemplate.BuiltInVariables)} and args.NAME{Suggestions.DidYouMean(variable, known)}";
                    yield return map.Error(field, $"unknown variable {{{{ {variable} }}}}{hint}");
                }
            }
        }
    }
}
