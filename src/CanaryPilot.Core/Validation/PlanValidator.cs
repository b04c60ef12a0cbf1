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
        CheckSessionAffinity();
        CheckAnalysis();
        CheckTrafficShare();
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
        if (service.VirtualServices.Count == 0 && service.HttpRoutes.Count == 0)
        {
            Error("spec.service.virtualServices", "name at least one VirtualService (or HTTPRoute, under httpRoutes) to drive");
        }
        else if (service.VirtualServices.Count > 0 && service.HttpRoutes.Count > 0)
        {
            // Istio leaves a host routed by both APIs undefined: one plan drives one of them.
            Error("spec.service.httpRoutes", "a plan drives VirtualServices or HTTPRoutes, not both: Istio does not define which wins for one host");
        }

        CheckHttpRoutes(service);

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

        CheckPort(service.Stable, "spec.service.stable.port");
        CheckPort(service.Canary, "spec.service.canary.port");
        if (service.Routing == RoutingKind.VirtualService
            && Istio.HostName.Same(service.Stable.Host, plan.Namespace, service.Canary.Host, plan.Namespace)
            && service.Stable.Subset == service.Canary.Subset)
        {
            Error("spec.service.canary", $"the canary is the same destination as the stable ({service.Stable}); give the canary its own subset or host");
        }

        if (service.Canary.Workload is null && service.Canary.Version is null)
        {
            Error("spec.service.canary", "set workload or version, so metrics can tell the canary from the stable");
        }

        CheckReadiness();
    }

    private void CheckHttpRoutes(ServiceTarget service)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < service.HttpRoutes.Count; i++)
        {
            var reference = service.HttpRoutes[i];
            var path = $"spec.service.httpRoutes[{i}]";
            if (!Names.IsDnsSubdomain(reference.Name))
            {
                Error($"{path}.name", $"{Names.Quote(reference.Name)} is not a valid HTTPRoute name: {Names.DnsSubdomainRule}");
            }

            CheckNamespace(reference.Namespace, $"{path}.namespace");
            if (reference.Rule is { } rule && !Names.IsDnsLabel(rule))
            {
                Error($"{path}.rule", $"{Names.Quote(rule)} is not a valid rule name: {Names.DnsLabelRule}");
            }

            if (!seen.Add($"{reference.Namespace ?? plan.Namespace}/{reference.Name}/{reference.Rule}"))
            {
                Error($"{path}.name", $"HTTPRoute {Names.Quote(reference.Name)} is listed twice");
            }
        }

        if (service.Routing != RoutingKind.HttpRoute)
        {
            return;
        }

        foreach (var (side, name) in new[] { (service.Stable, "stable"), (service.Canary, "canary") })
        {
            if (side.Subset is not null)
            {
                Error($"spec.service.{name}.subset", "an HTTPRoute cannot name a DestinationRule subset: give each version a Service of its own and name it in host");
            }

            if (!Names.IsDnsLabel(side.Host))
            {
                Error($"spec.service.{name}.host", $"{Names.Quote(side.Host)} is not a Service name, as an HTTPRoute backendRef names it: {Names.DnsLabelRule}");
            }
        }

        if (service.Stable.Host == service.Canary.Host)
        {
            Error("spec.service.canary.host", $"the canary's Service is the stable's ({service.Stable.Host}); with HTTPRoutes each version has a Service of its own");
        }

        for (var i = 0; i < plan.Spec.Stages.Count; i++)
        {
            // A RequestMirror filter's fraction is written in millionths: four decimals of a percent.
            if (plan.Spec.Stages[i].MirrorPercentage is { } share && Math.Round(share, 4) != share)
            {
                Error($"spec.stages[{i}].mirrorPercentage", $"{share.ToString(System.Globalization.CultureInfo.InvariantCulture)} has more than four decimals, more than an HTTPRoute's RequestMirror fraction can say");
            }
        }
    }

    private void CheckPort(Destination side, string path)
    {
        if (side.Port is { } port && port is < 1 or > 65535)
        {
            Error(path, $"{port} is not a port: 1 to 65535");
        }
    }

    private void CheckTrafficShare()
    {
        if (plan.Spec.Analysis.TrafficShareTolerance is < 0 or > 100 || double.IsNaN(plan.Spec.Analysis.TrafficShareTolerance))
        {
            Error("spec.analysis.trafficShareTolerance", $"{plan.Spec.Analysis.TrafficShareTolerance} is not a number of percentage points: 0 (off) to 100");
        }
    }

    private void CheckReadiness()
    {

        var readiness = plan.Spec.Readiness;
        if (readiness.MinReady is < 1 or > 100)
        {
            Error("spec.readiness.minReady", $"{readiness.MinReady} is not a percentage of the canary's replicas: 1 to 100");
        }

        if (readiness.Check == ReadinessCheck.Required && plan.Spec.Service.Canary.Workload is null)
        {
            Error("spec.readiness.check", "a required readiness check needs spec.service.canary.workload, the Deployment or StatefulSet to check");
        }
        else if (readiness.Capacity && (plan.Spec.Service.Canary.Workload is null || plan.Spec.Service.Stable.Workload is null))
        {
            Error("spec.readiness.capacity", "capacity checks compare the canary's replicas with the stable's: set spec.service.canary.workload and spec.service.stable.workload");
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
