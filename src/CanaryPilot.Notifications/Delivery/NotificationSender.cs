using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace CanaryPilot.Notifications.Delivery;

/// <summary>
/// Delivers one event to one plan's notification: builds its notifier, tries through the one delivery
/// pipeline (retries, a timeout per attempt), then counts and logs how it ended. It never throws and
/// never logs an address, a secret or a header value.
/// </summary>
public sealed partial class NotificationSender(
    NotifierFactory notifiers,
    ResiliencePipeline<DeliveryAttempt> pipeline,
    NotificationMetrics metrics,
    ILogger<NotificationSender> logger)
{
    public async Task<DeliveryReport> SendAsync(NotificationSpec spec, string namespaceName, RolloutNotification notification, CancellationToken cancellationToken)
    {
        var report = await TryAsync(spec, namespaceName, notification, cancellationToken).ConfigureAwait(false);
        metrics.Record(report, notification.Type);
        var rollout = notification.Rollout;
        var eventName = ObjectBinder.EnumName(notification.Type);
        if (report.Delivered)
        {
            LogDelivered(logger, rollout.Namespace, rollout.Rollout, eventName, spec.Name, report.Attempts);
        }
        else
        {
            LogFailed(logger, rollout.Namespace, rollout.Rollout, eventName, spec.Name, report.Attempts, report.Detail);
        }

        return report;
    }

    /// <summary>Counts and logs an event that never reached its turn (the queue was full, or CanaryPilot stopped).</summary>
    public void Skipped(NotificationSpec spec, RolloutNotification notification, DeliveryFailure why)
    {
        var report = new DeliveryReport(spec.Name, KindOf(spec), 0, why, why == DeliveryFailure.Dropped ? "dropped: the receiver fell a whole queue behind" : "CanaryPilot stopped first");
        metrics.Record(report, notification.Type);
        var eventName = ObjectBinder.EnumName(notification.Type);
        LogFailed(logger, notification.Rollout.Namespace, notification.Rollout.Rollout, eventName, spec.Name, 0, report.Detail);
    }

    private async Task<DeliveryReport> TryAsync(NotificationSpec spec, string namespaceName, RolloutNotification notification, CancellationToken cancellationToken)
    {
        var kind = KindOf(spec);
        var attempts = 0;
        try
        {
            var notifier = await notifiers.CreateAsync(spec, namespaceName, cancellationToken).ConfigureAwait(false);
            var attempt = await pipeline.ExecuteAsync(
                async token =>
                {
                    Interlocked.Increment(ref attempts);
                    return await notifier.SendAsync(notification, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            var failure = attempt switch
            {
                { Delivered: true } => (DeliveryFailure?)null,
                { Transient: true } => DeliveryFailure.Unavailable,
                _ => DeliveryFailure.Rejected,
            };
            return new DeliveryReport(spec.Name, kind, attempts, failure, attempt.Detail);
        }
        catch (Exception e) when (e is SecretUnavailableException or NotifierUnavailableException)
        {
            return new DeliveryReport(spec.Name, kind, attempts, DeliveryFailure.Misconfigured, e.Message);
        }
        catch (TimeoutRejectedException e)
        {
            return new DeliveryReport(spec.Name, kind, attempts, DeliveryFailure.TimedOut, $"no answer within {e.Timeout.TotalSeconds:0.###}s");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new DeliveryReport(spec.Name, kind, attempts, DeliveryFailure.Canceled, "CanaryPilot stopped first");
        }
    }

    private static string KindOf(NotificationSpec spec) => spec.Slack is null ? "webhook" : "slack";

    // At most six properties: past six the generator names them after the parameters ("@namespace").
    [LoggerMessage(Level = LogLevel.Information, Message = "{Namespace}/{Rollout} {Event}: notification {Notification} delivered after {Attempts} attempt(s)")]
    private static partial void LogDelivered(ILogger logger, string @namespace, string rollout, string @event, string notification, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Namespace}/{Rollout} {Event}: notification {Notification} not delivered after {Attempts} attempt(s): {Detail}")]
    private static partial void LogFailed(ILogger logger, string @namespace, string rollout, string @event, string notification, int attempts, string detail);
}
