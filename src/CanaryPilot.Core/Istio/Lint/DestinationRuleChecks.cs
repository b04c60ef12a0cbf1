using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>Checks of DestinationRules and the traffic policies inside them.</summary>
internal static class DestinationRuleChecks
{
    public static void Run(LintContext context)
    {
        foreach (var rule in context.DestinationRules)
        {
            var document = rule.Document;
            if (rule.Host is null)
            {
                context.Report(LintRules.MissingField, document, (SourceNode?)rule.Spec["host"] ?? rule.Spec, "spec.host", "a DestinationRule needs a host");
            }

            CheckPolicy(context, document, rule.Spec.Mapping("trafficPolicy"), "spec.trafficPolicy");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var subsets = rule.Spec.Sequence("subsets");
            for (var i = 0; i < subsets.Count; i++)
            {
                var path = FieldPath.Index("spec.subsets", i);
                if (subsets[i] is not MappingNode subset)
                {
                    continue;
                }

                if (subset["name"] is not ScalarNode { IsNull: false } name)
                {
                    context.Report(LintRules.MissingField, document, subset, $"{path}.name", "a subset needs a name");
                }
                else if (!seen.Add(name.Value))
                {
                    context.Report(LintRules.DuplicateSubset, document, name, $"{path}.name", $"subset \"{name.Value}\" is defined twice");
                }

                CheckPolicy(context, document, subset.Mapping("trafficPolicy"), $"{path}.trafficPolicy");
            }
        }
    }

    private static void CheckPolicy(LintContext context, SourceDocument document, MappingNode? policy, string path)
    {
        if (policy is null)
        {
            return;
        }

        var tcp = policy.Mapping("connectionPool")?.Mapping("tcp");
        context.CheckDuration(document, tcp, "connectTimeout", $"{path}.connectionPool.tcp");
        context.CheckDuration(document, tcp?.Mapping("tcpKeepalive"), "time", $"{path}.connectionPool.tcp.tcpKeepalive");
        context.CheckDuration(document, tcp?.Mapping("tcpKeepalive"), "interval", $"{path}.connectionPool.tcp.tcpKeepalive");
        context.CheckDuration(document, policy.Mapping("connectionPool")?.Mapping("http"), "idleTimeout", $"{path}.connectionPool.http");

        var outlier = policy.Mapping("outlierDetection");
        context.CheckDuration(document, outlier, "interval", $"{path}.outlierDetection");
        context.CheckDuration(document, outlier, "baseEjectionTime", $"{path}.outlierDetection");
        context.CheckPercentage(LintRules.EjectionPercent, document, outlier?["maxEjectionPercent"], $"{path}.outlierDetection.maxEjectionPercent", "maxEjectionPercent");

        var ports = policy.Sequence("portLevelSettings");
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is MappingNode port)
            {
                CheckPolicy(context, document, port, FieldPath.Index($"{path}.portLevelSettings", i));
            }
        }
    }
}
