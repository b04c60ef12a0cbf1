using CanaryPilot.Core.Documents;
using CanaryPilot.Core.GatewayApi;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>
/// Where a split will not apply in ambient mode. ztunnel carries only TCP: an HTTP route's rules apply where a
/// waypoint handles the Service, and ingress traffic passes the waypoint only when the Service asks for it. And a
/// host routed by a VirtualService and an HTTPRoute at once is undefined. Namespaces and Services are known only
/// from the inputs, so each check speaks only of what the inputs show.
/// </summary>
internal static class AmbientChecks
{
    public static void Run(LintContext context)
    {
        var meshRoutes = context.Routes.SelectMany(r => r.ParentRefs.Where(p => p.IsService && p.Name is not null).Select(p => (Route: r, Parent: p))).ToList();
        foreach (var (route, parent) in meshRoutes)
        {
            CheckWaypoint(context, route, parent);
            CheckVirtualServices(context, route, parent);
        }

        foreach (var route in context.Routes.Where(r => r.ParentRefs.Any(p => p.IsGateway && !IsWaypoint(context, p))))
        {
            foreach (var backend in route.Rules.SelectMany(r => r.BackendRefs).Where(b => b.IsService && b.Name is not null))
            {
                CheckIngress(context, route, backend, meshRoutes);
            }
        }
    }

    private static void CheckWaypoint(LintContext context, GatewayRouteView route, ParentRefView parent)
    {
        if (Namespace(context, parent.Namespace) is not { } ns || LintContext.Label(ns, GatewayApiKinds.DataplaneModeLabel) != "ambient" || Waypoint(context, parent.Namespace, parent.Name!) is not null)
        {
            return;
        }

        context.Report(LintRules.NoWaypoint, route.Document, parent.Node, parent.Path,
            $"Service {parent.Namespace}/{parent.Name} is in ambient namespace {parent.Namespace}, and neither it nor its namespace has an {GatewayApiKinds.UseWaypointLabel} label: without a waypoint, ztunnel carries its traffic as TCP and this route's rules and weights do not apply");
    }

    private static void CheckVirtualServices(LintContext context, GatewayRouteView route, ParentRefView parent)
    {
        foreach (var virtualService in context.VirtualServices.Where(v => v.Gateways.Count == 0 || v.Gateways.Any(g => g.Value == "mesh")))
        {
            if (virtualService.Hosts.FirstOrDefault(h => HostName.Same(h.Value, virtualService.Namespace, parent.Name!, parent.Namespace)) is { } host)
            {
                context.Report(LintRules.VirtualServiceAndRoute, route.Document, parent.Node, parent.Path,
                    $"VirtualService {virtualService.Namespace ?? "default"}/{virtualService.Document.Name} also routes {host.Value} ({Path.GetFileName(virtualService.Document.File)}:{host.Position}); Istio leaves a host routed by both undefined: route it with one of them");
            }
        }
    }

    /// <summary>An ingress route sends to a Service that a mesh route splits at its waypoint: unless the Service asks ingress to use it, the split does not apply to ingress traffic.</summary>
    private static void CheckIngress(LintContext context, GatewayRouteView route, BackendRefView backend, List<(GatewayRouteView Route, ParentRefView Parent)> meshRoutes)
    {
        var split = meshRoutes.FirstOrDefault(m => m.Parent.Name == backend.Name && m.Parent.Namespace == backend.Namespace && m.Route != route);
        if (split.Route is null || Waypoint(context, backend.Namespace, backend.Name!) is null)
        {
            return;
        }

        var service = context.Services.FirstOrDefault(s => s.Name == backend.Name && (s.Namespace ?? backend.Namespace) == backend.Namespace);
        if (service is not null && LintContext.Label(service, GatewayApiKinds.IngressUseWaypointLabel) == "true")
        {
            return;
        }

        context.Report(LintRules.IngressSkipsWaypoint, route.Document, backend.Node, backend.Path,
            $"the ingress sends the requests for Service {backend.Namespace}/{backend.Name} straight to its pods, past its waypoint, so the split of {split.Route.Document.Kind} {split.Route.Document.Name} does not apply to them; label the Service {GatewayApiKinds.IngressUseWaypointLabel}=true");
    }

    /// <summary>The waypoint a Service uses, from its own label or its namespace's; null for none (or <c>none</c>).</summary>
    private static string? Waypoint(LintContext context, string? ns, string service)
    {
        var own = context.Services.FirstOrDefault(s => s.Name == service && (s.Namespace ?? ns) == ns) is { } found ? LintContext.Label(found, GatewayApiKinds.UseWaypointLabel) : null;
        var waypoint = own ?? (Namespace(context, ns) is { } namespaceDocument ? LintContext.Label(namespaceDocument, GatewayApiKinds.UseWaypointLabel) : null);
        return waypoint is null or "none" ? null : waypoint;
    }

    private static SourceDocument? Namespace(LintContext context, string? name) => context.Namespaces.FirstOrDefault(n => n.Name == name);

    /// <summary>A parent Gateway of Istio's waypoint class; a Gateway the inputs do not define is taken for an ingress.</summary>
    private static bool IsWaypoint(LintContext context, ParentRefView parent) =>
        context.ApiGateways.FirstOrDefault(g => g.Name == parent.Name && (g.Namespace ?? parent.RouteNamespace) == parent.Namespace)
            ?.Root.Mapping("spec")?.Scalar("gatewayClassName") == GatewayApiKinds.WaypointClass;
}
