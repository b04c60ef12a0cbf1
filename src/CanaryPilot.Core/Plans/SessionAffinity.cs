namespace CanaryPilot.Core.Plans;

/// <summary>
/// Sticky canary sessions: at the weighted stages, the canary's responses set a cookie, and a route matching it sends
/// the requests that carry it to the canary, so that a user who reached the canary once stays on it. The cookie's value
/// is the rollout's own, new for each attempt: once the rollout ends, no route matches it any more.
/// </summary>
public sealed record SessionAffinity
{
    /// <summary>The cookie's name; <c>canarypilot-PLAN</c> unless set.</summary>
    public string? CookieName { get; init; }

    /// <summary>How long a browser keeps the cookie (its <c>Max-Age</c>); one hour unless set.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(1);
}
