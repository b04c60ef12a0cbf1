using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Hosting;

/// <summary>Hands each announcement to every announcer: the cluster's events, the logs, the CLI's view, notifiers.</summary>
internal sealed class CompositeAnnouncer(IEnumerable<IAnnouncer> announcers) : IAnnouncer
{
    public async Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        foreach (var announcer in announcers)
        {
            await announcer.AnnounceAsync(plan, status, announcement, cancellationToken);
        }
    }
}
