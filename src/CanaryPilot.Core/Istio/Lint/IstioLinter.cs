using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>
/// The offline cousin of <c>istioctl analyze</c>: finds logical errors in VirtualServices,
/// DestinationRules, Gateways and ServiceEntries (networking.istio.io v1, v1beta1, v1alpha3), in the Gateway
/// API's HTTPRoutes, GRPCRoutes and Gateways, and the pitfalls of ambient mode, with the Namespaces and
/// Services given beside them. Documents of other kinds are skipped.
/// </summary>
public static class IstioLinter
{
    /// <summary>Everything <c>lint</c> reports for the user's input: unreadable files, documents that are not resources, and findings.</summary>
    public static IReadOnlyList<Diagnostic> Lint(InputSet input) =>
        [.. input.Diagnostics, .. TypeMetaCheck.Check(input.Documents), .. Lint(input.Documents)];

    public static IReadOnlyList<Diagnostic> Lint(IReadOnlyList<SourceDocument> documents)
    {
        var context = new LintContext(documents.Where(d => IsSupported(d) || !IstioKinds.IsIstio(d)).ToList());
        foreach (var unsupported in documents.Where(d => IstioKinds.IsIstio(d) && !IsSupported(d)))
        {
            context.Report(LintRules.UnsupportedResource, unsupported, unsupported.Root["apiVersion"]!, "apiVersion",
                $"{unsupported.ApiVersion} is not served; networking.istio.io is served as {string.Join(", ", IstioKinds.Versions)}");
        }

        VirtualServiceChecks.Run(context);
        DestinationRuleChecks.Run(context);
        GatewayAndServiceEntryChecks.Run(context);
        CrossReferenceChecks.Run(context);
        GatewayApiChecks.Run(context);
        AmbientChecks.Run(context);
        return context.Findings
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Position?.Line)
            .ThenBy(d => d.Position?.Column)
            .ToList();
    }

    private static bool IsSupported(SourceDocument document) =>
        IstioKinds.IsIstio(document) && IstioKinds.Versions.Any(v => document.ApiVersion == $"{IstioKinds.Group}/{v}");
}
