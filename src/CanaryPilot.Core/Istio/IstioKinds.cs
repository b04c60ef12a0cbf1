using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Istio;

/// <summary>The networking.istio.io resources CanaryPilot reads, in every served version.</summary>
public static class IstioKinds
{
    public const string Group = "networking.istio.io";
    public const string VirtualService = "VirtualService";
    public const string DestinationRule = "DestinationRule";
    public const string Gateway = "Gateway";
    public const string ServiceEntry = "ServiceEntry";

    public static IReadOnlyList<string> Versions { get; } = ["v1", "v1beta1", "v1alpha3"];

    public static IReadOnlyList<string> Kinds { get; } = [VirtualService, DestinationRule, Gateway, ServiceEntry];

    public static bool IsIstio(SourceDocument document) => document.Group == Group;

    public static bool Is(SourceDocument document, string kind) => IsIstio(document) && document.Kind == kind;
}
