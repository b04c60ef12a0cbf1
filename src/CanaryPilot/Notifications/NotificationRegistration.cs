using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Hosting;
using CanaryPilot.Notifications;
using CanaryPilot.Notifications.Delivery;

// In the container's namespace, as AddXxx extensions are, so the engine's composition reads as one list.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Puts the plans' notifiers among the engine's announcers. Only where rollouts are driven: the engine
/// announces only what it decides, so with several <c>serve</c> replicas only the leader sends.
/// </summary>
internal static class NotificationRegistration
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, NotificationOptions options) =>
        services.AddNotifiers(options).AddSingleton<IRolloutObserver, Observer>();

    /// <summary>The announcer, as one of the observers the engine's composite announcer tells.</summary>
    private sealed class Observer(NotifyingAnnouncer notifiers) : IRolloutObserver
    {
        public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken) =>
            notifiers.AnnounceAsync(plan, status, announcement, cancellationToken);
    }
}
