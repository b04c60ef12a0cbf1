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

    public static readonly LintRule BackendWeight = new("CP1018", Severity.Error, "backendRef weight is not an integer from 0 to 1000000");
    public static readonly LintRule AllBackendsWeightless = new("CP1019", Severity.Warning, "every backendRef of a rule has weight 0");
    public static readonly LintRule UnknownBackend = new("CP1020", Severity.Warning, "backendRef to a Service no input defines");
    public static readonly LintRule UnknownParent = new("CP1021", Severity.Warning, "parentRef to a Gateway or Service no input defines");
    public static readonly LintRule DuplicateRuleName = new("CP1022", Severity.Error, "two rules of a route share a name");
    public static readonly LintRule MissingReferenceGrant = new("CP1023", Severity.Error, "backendRef to another namespace without a ReferenceGrant");
    public static readonly LintRule GatewayListener = new("CP1024", Severity.Error, "Gateway listener without name, port or protocol, or a name used twice");
    public static readonly LintRule NoWaypoint = new("CP1025", Severity.Warning, "mesh route for an ambient Service with no waypoint: its rules do not apply");
    public static readonly LintRule IngressSkipsWaypoint = new("CP1026", Severity.Warning, "ingress route to a Service whose waypoint the ingress skips");
    public static readonly LintRule VirtualServiceAndRoute = new("CP1027", Severity.Error, "a VirtualService and an HTTPRoute route the same host");

    public static IReadOnlyList<LintRule> All { get; } =
    [
        UnsupportedResource, WeightSum, WeightRange, UnknownSubset, DuplicateSubset, MirrorPercentage,
        FaultPercentage, IncompleteFault, InvalidDuration, UnknownGateway, EjectionPercent,
        UnusedDestinationRule, ConflictingVirtualServices, MissingField, ServiceEntryPorts,
        GatewayServer, DuplicateRouteName, UnreachableRoute, BackendWeight, AllBackendsWeightless,
        UnknownBackend, UnknownParent, DuplicateRuleName, MissingReferenceGrant, GatewayListener,
        NoWaypoint, IngressSkipsWaypoint, VirtualServiceAndRoute,
    ];
}
