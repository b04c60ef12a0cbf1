namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// The state machine's answer to an input: the next status and the actions that follow from it, or a
/// rejection that says why the input does not apply now. The engine persists <see cref="Status"/>
/// before it carries out <see cref="Actions"/>.
/// </summary>
public sealed record Decision
{
    public required RolloutStatus Status { get; init; }

    public IReadOnlyList<RolloutAction> Actions { get; init; } = [];

    /// <summary>The next step needs no waiting (e.g. Promoting → Succeeded): tick again at once.</summary>
    public bool TickAgain { get; init; }

    /// <summary>Why the input was refused; null when accepted.</summary>
    public string? Rejection { get; init; }

    public bool Accepted => Rejection is null;

    public static Decision Reject(RolloutStatus status, string reason) => new() { Status = status, Rejection = reason };
}
