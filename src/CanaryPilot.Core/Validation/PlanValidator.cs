using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

/// <summary>
/// The logic of a RolloutPlan that its schema cannot say: stages that make sense in order, metrics
/// whose templates exist and can be rendered, thresholds that can pass, secrets only by reference.
/// </summary>
public sealed partial class PlanValidator(RolloutPlan plan, SourceMap map, TemplateCatalog templates)
{
    private readonly DiagnosticBag _diagnostics = new();

    public IReadOnlyList<Diagnostic> Validate()
    {
        CheckHeader();
        CheckService();
        CheckStages();
        CheckAnalysis();
        CheckNotifications();
        CheckGates();
        return _diagnostics.Items;
    }

    private void Error(string path, string message) => _diagnostics.Add(map.Error(path, message));

    private void CheckHeader()
    {
        if (plan.ApiVersion != RolloutPlan.CurrentApiVersion)
        {
            Error("apiVersion", $"unsupported apiVersion \"{plan.ApiVersion}\"; this CanaryPilot reads {RolloutPlan.CurrentApiVersion}");
        }

        if (!Names.IsDnsLabel(plan.Metadata.Name))
        {
            Error("metadata.name", $"{Names.Quote(plan.Metadata.Name)} is not a valid name: {Names.DnsLabelRule}");
        }

        CheckNamespace(plan.Metadata.Namespace, "metadata.namespace");
    }

    /// <summary>A namespace becomes a path of Kubernetes API requests: only what Kubernetes accepts as one is taken.</summary>
    private void CheckNamespace(string? name, string path)
    {
        if (name is not null && !Names.IsDnsLabel(name))
        {
            Error(path, $"{Names.Quote(name)} is not a valid namespace: {Names.DnsLabelRule}");
        }
    }

    private void CheckService()
    {
        var service = plan.Spec.Service;
        if (service.VirtualServices.Count == 0)
        {
            Error("spec.service.virtualServices", "name at least one VirtualService to drive");
        }

        CheckNamespace(service.Namespace, "spec.service.namespace");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < service.VirtualServices.Count; i++)
        {
            var reference = service.VirtualServices[i];
            // A name becomes a path of Kubernetes API requests too ("..", "a/b").
            if (!Names.IsDnsSubdomain(reference.Name))
            {
                Error($"spec.service.virtualServices[{i}].name", $"{Names.Quote(reference.Name)} is not a valid VirtualService name: {Names.DnsSubdomainRule}");
            }

            CheckNamespace(reference.Namespace, $"spec.service.virtualServices[{i}].namespace");
            if (!seen.Add($"{reference.Namespace ?? plan.Namespace}/{reference.Name}"))
            {
                Error($"spec.service.virtualServices[{i}].name", $"VirtualService {Names.Quote(reference.Name)} is listed twice");
            }

            var duplicateRoute = reference.Routes.GroupBy(r => r, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicateRoute is not null)
            {
                Error($"spec.service.virtualServices[{i}].routes", $"route \"{duplicateRoute.Key}\" is listed twice");
            }
        }

        if (Istio.HostName.Same(service.Stable.Host, plan.Namespace, service.Canary.Host, plan.Namespace)
            && service.Stable.Subset == service.Canary.Subset)
        {
            Error("spec.service.canary", $"the canary is the same destination as the stable ({service.Stable}); give the canary its own subset or host");
        }

        if (service.Canary.Workload is null && service.Canary.Version is null)
        {
            Error("spec.service.canary", "set workload or version, so metrics can tell the canary from the stable");
        }
    }

    private void CheckGates()
    {
        var gates = plan.Spec.Gates;
        for (var i = 0; i < gates.Count; i++)
        {
            var path = $"spec.gates[{i}]";
            CheckUnique(gates.Take(i).Select(g => g.Name), gates[i].Name, $"{path}.name", "gate");
            CheckUrl(gates[i].Url, $"{path}.url");
            if (gates[i].Timeout <= TimeSpan.Zero)
            {
                Error($"{path}.timeout", "must be longer than 0s");
            }
        }
    }

    private void CheckUnique(IEnumerable<string> earlier, string name, string path, string what)
    {
        if (earlier.Contains(name, StringComparer.Ordinal))
        {
            Error(path, $"{what} name \"{name}\" is used twice");
        }
    }

    private void CheckUrl(string url, string path)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            Error(path, $"\"{url}\" is not an absolute http or https URL");
        }
    }

    private static string Format(TimeSpan value) => Duration.Format(value);
}
