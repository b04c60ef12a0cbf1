namespace CanaryPilot.Core.Plans;

public sealed record VirtualServiceRef
{
    public required string Name { get; init; }

    /// <summary>Defaults to the service's namespace.</summary>
    public string? Namespace { get; init; }

    /// <summary>
    /// Names of the http routes to drive. Required when more than one route reaches the stable
    /// destination; CanaryPilot never guesses which of them is meant.
    /// </summary>
    public IReadOnlyList<string> Routes { get; init; } = [];
}
