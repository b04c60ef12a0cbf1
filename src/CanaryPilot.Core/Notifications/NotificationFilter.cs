using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Notifications;

/// <summary>Which events a notification receives: those it lists (all when it lists none), at its minimum severity or worse.</summary>
public static class NotificationFilter
{
    public static bool Accepts(NotificationSpec notification, RolloutEventType type, Severity severity) =>
        (notification.Events.Count == 0 || notification.Events.Contains(type))
        && severity <= notification.MinSeverity; // Error < Warning < Info: the lower, the more severe.
}
