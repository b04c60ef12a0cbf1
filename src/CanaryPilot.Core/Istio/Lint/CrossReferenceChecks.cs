using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>
/// Checks between resources. The service registry is unknown offline, so a host no input defines
/// is never an error; a subset is checked only against DestinationRules the input holds for its host.
/// </summary>
internal static class CrossReferenceChecks
{
    private const string MeshGateway = "mesh";

    public static void Run(LintContext context)
    {
        foreach (var virtualService in context.VirtualServices)
        {
            CheckSubsets(context, virtualService);
            CheckGateways(context, virtualService);
        }

        CheckUnusedDestinationRules(context);
        CheckConflicts(context);
    }

    private static void CheckSubsets(LintContext context, VirtualServiceView virtualService)
    {
        var ns = virtualService.Namespace;
        foreach (var route in virtualService.AllRoutes)
        {
            var destinations = route.Destinations.Select(d => (d.Host, d.Subset, Node: (SourceNode)d.Node, Path: $"{d.Path}.destination.subset"))
                .Concat(route.Mirrors.Select(m => (m.Host, m.Subset, Node: (SourceNode)m.Node, Path: $"{m.Path}.subset")));

            foreach (var (host, subset, node, path) in destinations)
            {
                if (host is null || subset is null)
                {
                    continue;
                }

                var rules = context.DestinationRules.Where(r => r.Serves(host, ns)).ToList();
                if (rules.Count > 0 && !rules.Any(r => r.Defines(subset)))
                {
                    var defined = rules.SelectMany(r => r.Subsets).Select(s => s.Scalar("name")).OfType<string>();
                    context.Report(LintRules.UnknownSubset, virtualService.Document, node, path,
                        $"subset \"{subset}\" of host {host} is not defined by DestinationRule {rules[0].Document.Name}; it defines {Join(defined)}");
                }
            }
        }
    }

    private static void CheckGateways(LintContext context, VirtualServiceView virtualService)
    {
        var gateways = virtualService.Gateways;
        for (var i = 0; i < gateways.Count; i++)
        {
            var reference = gateways[i].Value;
            if (reference == MeshGateway)
            {
                continue;
            }

            var slash = reference.IndexOf('/', StringComparison.Ordinal);
            var (ns, name) = slash >= 0 ? (reference[..slash], reference[(slash + 1)..]) : (virtualService.Namespace, reference);
            if (!context.Gateways.Any(g => g.Name == name && (ns is null || g.Namespace is null || g.Namespace == ns)))
            {
                context.Report(LintRules.UnknownGateway, virtualService.Document, gateways[i], FieldPath.Index("spec.gateways", i),
                    $"gateway \"{reference}\" is not defined by any input file");
            }
        }
    }

    private static void CheckUnusedDestinationRules(LintContext context)
    {
        if (context.VirtualServices.Count == 0)
        {
            return;
        }

        var routed = context.VirtualServices
            .SelectMany(vs => vs.DestinationHosts.Select(h => HostName.Qualify(h, vs.Namespace)))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var rule in context.DestinationRules.Where(r => r.Host is not null && !routed.Contains(HostName.Qualify(r.Host, r.Namespace))))
        {
            context.Report(LintRules.UnusedDestinationRule, rule.Document, rule.Spec["host"]!, "spec.host",
                $"no VirtualService among the inputs routes to host {rule.Host}");
        }
    }

    /// <summary>
    /// Istio merges gateway-bound VirtualServices of one host, but for the mesh (sidecars) it keeps
    /// only one of them, so only mesh-bound duplicates are reported.
    /// </summary>
    private static void CheckConflicts(LintContext context)
    {
        var owners = new Dictionary<string, VirtualServiceView>(StringComparer.OrdinalIgnoreCase);
        foreach (var virtualService in context.VirtualServices.Where(v => v.Gateways.Count == 0 || v.Gateways.Any(g => g.Value == MeshGateway)))
        {
            foreach (var host in virtualService.Hosts)
            {
                var key = HostName.Qualify(host.Value, virtualService.Namespace);
                if (!owners.TryAdd(key, virtualService))
                {
                    var first = owners[key].Document;
                    var where = first.File == virtualService.Document.File ? $"line {first.Root.Position.Line}" : first.File;
                    context.Report(LintRules.ConflictingVirtualServices, virtualService.Document, host, "spec.hosts",
                        $"host {host.Value} is also routed by VirtualService {first.Name} ({where}); for mesh traffic Istio uses only one of them");
                }
            }
        }
    }

    private static string Join(IEnumerable<string> names) =>
        names.Any() ? string.Join(", ", names.Select(n => $"\"{n}\"")) : "no subsets";
}
