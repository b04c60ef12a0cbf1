namespace CanaryPilot.Service;

/// <summary>
/// The body of <c>POST …/trigger</c>: the canary to roll out and a key that makes the call safe to
/// repeat — the same key again never starts a second rollout.
/// </summary>
public sealed record TriggerRequest
{
    public string? IdempotencyKey { get; init; }

    /// <summary>Replaces fields of the plan's canary destination (host, subset, workload, version).</summary>
    public CanaryChange? Canary { get; init; }

    /// <summary>What is rolled out: an image tag, a commit.</summary>
    public string? Revision { get; init; }
}

public sealed record CanaryChange
{
    public string? Host { get; init; }

    public string? Subset { get; init; }

    public string? Workload { get; init; }

    public string? Version { get; init; }
}
