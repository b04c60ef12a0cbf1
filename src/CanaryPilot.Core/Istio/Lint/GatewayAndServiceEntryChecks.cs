using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>Checks of Gateways and ServiceEntries.</summary>
internal static class GatewayAndServiceEntryChecks
{
    public static void Run(LintContext context)
    {
        foreach (var gateway in context.Gateways)
        {
            CheckGateway(context, gateway);
        }

        foreach (var entry in context.ServiceEntries)
        {
            CheckServiceEntry(context, entry);
        }
    }

    private static void CheckGateway(LintContext context, SourceDocument gateway)
    {
        var spec = gateway.Root.Mapping("spec") ?? gateway.Root;
        var servers = spec.Sequence("servers");
        if (servers.Count == 0)
        {
            context.Report(LintRules.MissingField, gateway, (SourceNode?)spec["servers"] ?? spec, "spec.servers", "a Gateway needs at least one server");
        }

        for (var i = 0; i < servers.Count; i++)
        {
            var path = FieldPath.Index("spec.servers", i);
            if (servers[i] is not MappingNode server)
            {
                continue;
            }

            var port = server.Mapping("port");
            if (port?.Scalar("number") is null || port.Scalar("protocol") is null)
            {
                context.Report(LintRules.GatewayServer, gateway, (SourceNode?)port ?? server, $"{path}.port", "a server needs a port with number and protocol");
            }

            if (server.Sequence("hosts").Count == 0)
            {
                context.Report(LintRules.GatewayServer, gateway, server, $"{path}.hosts", "a server needs at least one host");
            }
        }
    }

    private static void CheckServiceEntry(LintContext context, SourceDocument entry)
    {
        var spec = entry.Root.Mapping("spec") ?? entry.Root;
        if (spec.Sequence("hosts").Count == 0)
        {
            context.Report(LintRules.MissingField, entry, (SourceNode?)spec["hosts"] ?? spec, "spec.hosts", "a ServiceEntry needs at least one host");
        }

        var numbers = new HashSet<string>(StringComparer.Ordinal);
        var ports = spec.Sequence("ports");
        for (var i = 0; i < ports.Count; i++)
        {
            var path = FieldPath.Index("spec.ports", i);
            if (ports[i] is not MappingNode port)
            {
                continue;
            }

            if (port.Scalar("number") is not { } number)
            {
                context.Report(LintRules.ServiceEntryPorts, entry, port, $"{path}.number", "a port needs a number");
            }
            else if (!numbers.Add(number))
            {
                context.Report(LintRules.ServiceEntryPorts, entry, port["number"]!, $"{path}.number", $"port {number} is declared twice");
            }
        }

        var static_ = spec.Scalar("resolution") == "STATIC";
        if (static_ && spec.Sequence("endpoints").Count == 0 && spec["workloadSelector"] is null)
        {
            context.Report(LintRules.ServiceEntryPorts, entry, (SourceNode?)spec["resolution"] ?? spec, "spec.resolution", "resolution STATIC needs endpoints or a workloadSelector");
        }
    }
}
