using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Notifications;

/// <summary>One rollout event as it is sent to people and systems: what happened, to which rollout, and what comes next.</summary>
public sealed record RolloutNotification
{
    /// <summary>Unique per event and the same on every retry, so receivers can drop duplicates.</summary>
    public required string Id { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required RolloutEventType Type { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>A CamelCase word, as Kubernetes Events have: <c>StageAdvanced</c>, <c>RolledBack</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>What happened, in a sentence; for a rollback, why.</summary>
    public required string Message { get; init; }

    /// <summary>What happens next, in a sentence.</summary>
    public required string Next { get; init; }

    /// <summary>A sample sent by <c>canarypilot notify-test</c>, about no real rollout.</summary>
    public bool IsTest { get; init; }

    public required RolloutSnapshot Rollout { get; init; }

    public static RolloutNotification Of(RolloutPlan plan, RolloutStatus status, Announce announcement, DateTimeOffset time) => new()
    {
        Id = Guid.CreateVersion7(time).ToString(),
        Time = time,
        Type = announcement.Type,
        Severity = announcement.Severity,
        Reason = announcement.Reason,
        Message = announcement.Message,
        Next = NextStep.Describe(plan, status, announcement.Type),
        Rollout = RolloutSnapshot.Of(plan, status),
    };
}
