using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Plans;
using Prometheus;

namespace CanaryPilot.Notifications.Delivery;

/// <summary>
/// Notification counters, in the registry the service exports on <c>/metrics</c>:
/// <c>canarypilot_notifications_delivered_total{notifier,event}</c> and
/// <c>canarypilot_notifications_failed_total{notifier,event,reason}</c>. Labels never name a receiver.
/// </summary>
public sealed class NotificationMetrics
{
    private readonly Counter _delivered;
    private readonly Counter _failed;

    public NotificationMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _delivered = factory.CreateCounter(
            "canarypilot_notifications_delivered_total",
            "Notifications a receiver accepted, by notifier kind and event.",
            new CounterConfiguration { LabelNames = ["notifier", "event"] });
        _failed = factory.CreateCounter(
            "canarypilot_notifications_failed_total",
            "Notifications given up on, by notifier kind, event and reason (rejected, unavailable, timedOut, misconfigured, dropped, canceled).",
            new CounterConfiguration { LabelNames = ["notifier", "event", "reason"] });
    }

    public void Record(DeliveryReport report, RolloutEventType type)
    {
        if (report.Failure is { } failure)
        {
            _failed.WithLabels(report.Kind, ObjectBinder.EnumName(type), ObjectBinder.EnumName(failure)).Inc();
        }
        else
        {
            _delivered.WithLabels(report.Kind, ObjectBinder.EnumName(type)).Inc();
        }
    }

    public double Delivered(string kind, RolloutEventType type) => _delivered.WithLabels(kind, ObjectBinder.EnumName(type)).Value;

    public double Failed(string kind, RolloutEventType type, DeliveryFailure reason) =>
        _failed.WithLabels(kind, ObjectBinder.EnumName(type), ObjectBinder.EnumName(reason)).Value;
}
