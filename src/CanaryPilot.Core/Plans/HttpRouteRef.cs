namespace CanaryPilot.Core.Plans;

/// <summary>A Gateway API HTTPRoute whose weights CanaryPilot drives, and which of its rules.</summary>
public sealed record HttpRouteRef
{
    public required string Name { get; init; }

    /// <summary>Defaults to the service's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// The name of the rule to drive (<c>rules[].name</c>). Required when more than one rule sends traffic
    /// to the stable backend; CanaryPilot never guesses which of them is meant.
    /// </summary>
    public string? Rule { get; init; }
}
