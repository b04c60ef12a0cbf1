using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// Tells the world what happened to a rollout: Kubernetes Events, notifiers, a CLI's live view.
/// Implementations never fail a rollout: delivery problems are theirs to report.
/// </summary>
public interface IAnnouncer
{
    Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken);
}
