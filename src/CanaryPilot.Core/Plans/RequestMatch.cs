namespace CanaryPilot.Core.Plans;

/// <summary>Which requests an A/B stage sends to the canary: all given conditions must hold.</summary>
public sealed record RequestMatch
{
    /// <summary>Request headers, by name (lower case), and how each must match.</summary>
    public IReadOnlyDictionary<string, StringMatch> Headers { get; init; } = new Dictionary<string, StringMatch>();

    /// <summary>A cookie that must be present with this value.</summary>
    public CookieMatch? Cookie { get; init; }
}

/// <summary>An Istio string match: exactly one of exact, prefix or regex (RE2).</summary>
public sealed record StringMatch
{
    public string? Exact { get; init; }

    public string? Prefix { get; init; }

    public string? Regex { get; init; }
}

public sealed record CookieMatch
{
    public required string Name { get; init; }

    public required string Value { get; init; }
}
