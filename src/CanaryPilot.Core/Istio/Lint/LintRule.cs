using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Istio.Lint;

/// <summary>A lint check: its stable code, its severity and what it looks for.</summary>
public sealed record LintRule(string Code, Severity Severity, string Title);

/// <summary>Every check <c>canarypilot lint</c> runs. Codes are stable: never renumber, only add.</summary>
public static class LintRules
{
    public static readonly LintRule UnsupportedResource = new("CP1000", Severity.Error, "networking.istio.io resource in an unknown version");
    public static readonly LintRule WeightSum = new("CP1001", Severity.Error, "route weights do not sum to 100");
    public static readonly LintRule WeightRange = new("CP1002", Severity.Error, "route weight is not an integer from 0 to 100");
    public static readonly LintRule UnknownSubset = new("CP1003", Severity.Error, "subset not defined by the DestinationRule of its host");
    public static readonly LintRule DuplicateSubset = new("CP1004", Severity.Error, "DestinationRule defines a subset name twice");
    public static readonly LintRule MirrorPercentage = new("CP1005", Severity.Error, "mirror percentage outside 0-100");
    public static readonly LintRule FaultPercentage = new("CP1006", Severity.Error, "fault percentage outside 0-100");
    public static readonly LintRule IncompleteFault = new("CP1007", Severity.Error, "fault without a usable delay or abort");
    public static readonly LintRule InvalidDuration = new("CP1008", Severity.Error, "invalid duration");
    public static readonly LintRule UnknownGateway = new("CP1009", Severity.Warning, "VirtualService bound to a Gateway no input defines");
    public static readonly LintRule EjectionPercent = new("CP1010", Severity.Error, "outlierDetection.maxEjectionPercent outside 0-100");
    public static readonly LintRule UnusedDestinationRule = new("CP1011", Severity.Warning, "DestinationRule for a host no VirtualService routes to");
    public static readonly LintRule ConflictingVirtualServices = new("CP1012", Severity.Warning, "several mesh VirtualServices route the same host");
    public static readonly LintRule MissingField = new("CP1013", Severity.Error, "required field missing");
    public static readonly LintRule ServiceEntryPorts = new("CP1014", Severity.Error, "ServiceEntry ports or endpoints inconsistent");
    public static readonly LintRule GatewayServer = new("CP1015", Severity.Error, "Gateway server without port or hosts");
    public static readonly LintRule DuplicateRouteName = new("CP1016", Severity.Warning, "two routes of a VirtualService share a name");
    public static readonly LintRule UnreachableRoute = new("CP1017", Severity.Warning, "http route after a catch-all route is never used");

    public static IReadOnlyList<LintRule> All { get; } =
    [
        UnsupportedResource, WeightSum, WeightRange, UnknownSubset, DuplicateSubset, MirrorPercentage,
        FaultPercentage, IncompleteFault, InvalidDuration, UnknownGateway, EjectionPercent,
        UnusedDestinationRule, ConflictingVirtualServices, MissingField, ServiceEntryPorts,
        GatewayServer, DuplicateRouteName, UnreachableRoute,
    ];
}
