using System.Globalization;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.GatewayApi;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>The Istio and Gateway API resources being linted, with the Namespaces and Services given beside them, indexed by kind, and the findings so far.</summary>
public sealed class LintContext
{
    private readonly List<Diagnostic> _findings = [];

    public LintContext(IReadOnlyList<SourceDocument> documents)
    {
        var gatewayApi = documents.Where(GatewayApiKinds.IsGatewayApi).ToList();
        Routes = gatewayApi.Where(d => d.Kind is GatewayApiKinds.HttpRoute or GatewayApiKinds.GrpcRoute).Select(d => new GatewayRouteView(d)).ToList();
        ApiGateways = gatewayApi.Where(d => d.Kind == GatewayApiKinds.Gateway).ToList();
        ReferenceGrants = gatewayApi.Where(d => d.Kind == GatewayApiKinds.ReferenceGrant).ToList();
        Namespaces = documents.Where(d => d.Group.Length == 0 && d.Kind == "Namespace").ToList();
        Services = documents.Where(d => d.Group.Length == 0 && d.Kind == "Service").ToList();
        var istio = documents.Where(IstioKinds.IsIstio).ToList();
        Documents = istio;
        VirtualServices = istio.Where(d => d.Kind == IstioKinds.VirtualService).Select(d => new VirtualServiceView(d)).ToList();
        DestinationRules = istio.Where(d => d.Kind == IstioKinds.DestinationRule).Select(d => new DestinationRuleView(d)).ToList();
        Gateways = istio.Where(d => d.Kind == IstioKinds.Gateway).ToList();
        ServiceEntries = istio.Where(d => d.Kind == IstioKinds.ServiceEntry).ToList();
    }

    public IReadOnlyList<SourceDocument> Documents { get; }

    public IReadOnlyList<VirtualServiceView> VirtualServices { get; }

    public IReadOnlyList<DestinationRuleView> DestinationRules { get; }

    public IReadOnlyList<SourceDocument> Gateways { get; }

    public IReadOnlyList<SourceDocument> ServiceEntries { get; }

    /// <summary>HTTPRoutes and GRPCRoutes (gateway.networking.k8s.io).</summary>
    public IReadOnlyList<GatewayRouteView> Routes { get; }

    /// <summary>Gateway API Gateways, waypoints among them (Istio's own Gateways are <see cref="Gateways"/>).</summary>
    public IReadOnlyList<SourceDocument> ApiGateways { get; }

    public IReadOnlyList<SourceDocument> ReferenceGrants { get; }

    public IReadOnlyList<SourceDocument> Namespaces { get; }

    public IReadOnlyList<SourceDocument> Services { get; }

    /// <summary>A label of a document's metadata; null when absent.</summary>
    public static string? Label(SourceDocument document, string label) => document.Root.Mapping("metadata")?.Mapping("labels")?.Scalar(label);

    public IReadOnlyList<Diagnostic> Findings => _findings;

    public void Report(LintRule rule, SourceDocument document, SourceNode at, string path, string message) =>
        _findings.Add(new Diagnostic(rule.Severity, document.File, at.Position, path, message, rule.Code));

    /// <summary>Reports a value that is not a duration; absent values are fine.</summary>
    public void CheckDuration(SourceDocument document, MappingNode? parent, string key, string parentPath)
    {
        if (parent?[key] is { } node && (node is not ScalarNode scalar || !Duration.TryParse(scalar.Value, out var value) || value < TimeSpan.Zero))
        {
            Report(LintRules.InvalidDuration, document, node, $"{parentPath}.{key}", $"invalid duration {node.Describe()}; {Duration.Hint}");
        }
    }

    /// <summary>Reports a percentage that is not a number from 0 to 100; absent values are fine.</summary>
    public void CheckPercentage(LintRule rule, SourceDocument document, SourceNode? node, string path, string what)
    {
        if (node is not null && !IsPercentage(node))
        {
            Report(rule, document, node, path, $"{what} is {node.Describe()}; it must be a number from 0 to 100");
        }
    }

    public static bool IsPercentage(SourceNode node) =>
        node is ScalarNode { IsPlain: true } s
        && double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
        && value is >= 0 and <= 100;

    public static int? IntegerValue(ScalarNode? node) =>
        node is { IsPlain: true } && int.TryParse(node.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
