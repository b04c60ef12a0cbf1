using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.GatewayApi;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>
/// Checks of the Gateway API's routes and Gateways: weights, rule names, what parentRefs and backendRefs name,
/// and the ReferenceGrant a backendRef to another namespace needs.
/// </summary>
internal static class GatewayApiChecks
{
    /// <summary>Gateway API's largest backendRef weight.</summary>
    private const int MaxWeight = 1_000_000;

    private static readonly string[] ListenerFields = ["name", "port", "protocol"];

    public static void Run(LintContext context)
    {
        foreach (var route in context.Routes)
        {
            CheckParents(context, route);
            CheckRules(context, route);
        }

        foreach (var gateway in context.ApiGateways)
        {
            CheckListeners(context, gateway);
        }
    }

    private static void CheckParents(LintContext context, GatewayRouteView route)
    {
        foreach (var parent in route.ParentRefs)
        {
            var known = parent.IsService ? context.Services : parent.IsGateway ? context.ApiGateways : null;
            if (known is not null && parent.Name is { } name && !known.Any(d => d.Name == name && (d.Namespace ?? route.Namespace) == parent.Namespace))
            {
                context.Report(LintRules.UnknownParent, route.Document, parent.Node, parent.Path,
                    $"parent {parent.Kind} \"{name}\" is not defined by any input file");
            }
        }
    }

    private static void CheckRules(LintContext context, GatewayRouteView route)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in route.Rules)
        {
            if (rule.Name is { } name && !names.Add(name))
            {
                context.Report(LintRules.DuplicateRuleName, route.Document, rule.Node["name"]!, $"{rule.Path}.name",
                    $"rule name \"{name}\" is used twice; Gateway API requires rule names to be unique within a route");
            }

            var backends = rule.BackendRefs;
            foreach (var backend in backends.Where(b => b.Weight is not null))
            {
                if (LintContext.IntegerValue(backend.Weight) is not (>= 0 and <= MaxWeight))
                {
                    context.Report(LintRules.BackendWeight, route.Document, backend.Weight!, $"{backend.Path}.weight",
                        $"weight is {backend.Weight!.Describe()}; it must be an integer from 0 to {MaxWeight}");
                }
            }

            if (backends.Count > 0 && backends.All(b => LintContext.IntegerValue(b.Weight) == 0))
            {
                context.Report(LintRules.AllBackendsWeightless, route.Document, rule.Node["backendRefs"]!, $"{rule.Path}.backendRefs",
                    $"every backendRef of {rule.Describe()} has weight 0: its requests are answered 500");
            }

            foreach (var backend in rule.AllBackendRefs.Where(b => b.IsService && b.Name is not null))
            {
                CheckBackend(context, route, backend);
            }
        }
    }

    private static void CheckBackend(LintContext context, GatewayRouteView route, BackendRefView backend)
    {
        if (!context.Services.Any(s => s.Name == backend.Name && (s.Namespace ?? route.Namespace) == backend.Namespace))
        {
            context.Report(LintRules.UnknownBackend, route.Document, backend.Node, backend.Path,
                $"Service \"{backend.Name}\"{(backend.CrossesNamespace ? $" in namespace {backend.Namespace}" : "")} is not defined by any input file");
        }

        if (backend.CrossesNamespace && !Granted(context, route, backend))
        {
            context.Report(LintRules.MissingReferenceGrant, route.Document, backend.Node["namespace"]!, $"{backend.Path}.namespace",
                $"Service {backend.Namespace}/{backend.Name} is in another namespace, and no ReferenceGrant in {backend.Namespace} lets {route.Document.Kind}s of {route.Namespace ?? "the route's namespace"} refer to it; the parent will report ResolvedRefs False (RefNotPermitted)");
        }
    }

    /// <summary>A ReferenceGrant in the backend's namespace from the route's kind and namespace to that Service (or every Service).</summary>
    private static bool Granted(LintContext context, GatewayRouteView route, BackendRefView backend) =>
        context.ReferenceGrants.Where(g => g.Namespace == backend.Namespace).Any(grant =>
        {
            var spec = grant.Root.Mapping("spec");
            var from = spec?.Sequence("from").OfType<MappingNode>().Any(f =>
                f.Scalar("group") == GatewayApiKinds.Group && f.Scalar("kind") == route.Document.Kind && f.Scalar("namespace") == route.Namespace) == true;
            var to = spec?.Sequence("to").OfType<MappingNode>().Any(t =>
                (t.Scalar("group") ?? "").Length == 0 && t.Scalar("kind") == "Service" && (t.Scalar("name") is null || t.Scalar("name") == backend.Name)) == true;
            return from && to;
        });

    private static void CheckListeners(LintContext context, SourceDocument gateway)
    {
        var spec = gateway.Root.Mapping("spec") ?? gateway.Root;
        var listeners = spec.Sequence("listeners");
        if (listeners.Count == 0)
        {
            context.Report(LintRules.MissingField, gateway, (SourceNode?)spec["listeners"] ?? spec, "spec.listeners", "a Gateway needs at least one listener");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < listeners.Count; i++)
        {
            var path = FieldPath.Index("spec.listeners", i);
            if (listeners[i] is not MappingNode listener)
            {
                continue;
            }

            var missing = ListenerFields.Where(f => listener.Scalar(f) is null).ToList();
            if (missing.Count > 0)
            {
                context.Report(LintRules.GatewayListener, gateway, listener, path, $"a listener needs {string.Join(", ", missing)}");
            }
            else if (!names.Add(listener.Scalar("name")!))
            {
                context.Report(LintRules.GatewayListener, gateway, listener["name"]!, $"{path}.name", $"listener name \"{listener.Scalar("name")}\" is used twice");
            }
        }
    }
}
