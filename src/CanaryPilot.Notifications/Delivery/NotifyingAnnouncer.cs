using System.Collections.Concurrent;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Notifications.Delivery;

/// <summary>
/// Tells a plan's notifiers what happened: each event that a notification's filter accepts goes into
/// that notifier's bounded queue, which is drained in the background. Announcing never waits for a
/// receiver and never fails, so a slow or dead receiver can neither block nor fail a rollout.
/// </summary>
/// <remarks>
/// Only the process that drives a rollout announces it, so registering this announcer with the engine
/// (and nowhere else) is what makes one replica send each event once.
/// </remarks>
public sealed partial class NotifyingAnnouncer : IAnnouncer, IAsyncDisposable, IDisposable
{
    private readonly ConcurrentDictionary<(string Namespace, string Rollout, string Notification), NotifierQueue> _queues = new();

    /// <summary>Queues of ended rollouts still delivering what they hold; shutdown waits for them too.</summary>
    private readonly ConcurrentDictionary<NotifierQueue, byte> _closing = new();
    private readonly NotificationSender _sender;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NotifyingAnnouncer> _logger;
    private readonly CancellationTokenSource _stopping;
    private int _stopped;

    public NotifyingAnnouncer(NotificationSender sender, NotificationOptions options, TimeProvider time, ILogger<NotifyingAnnouncer> logger)
    {
        _sender = sender;
        _options = options;
        _time = time;
        _logger = logger;
        _stopping = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        try
        {
            Queue(plan, status, announcement);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not fail the rollout that announced.
            LogQueueBug(_logger, e, plan.Namespace, plan.Metadata.Name);
        }

        return Task.CompletedTask;
    }

    private void Queue(RolloutPlan plan, RolloutStatus status, Announce announcement)
    {
        RolloutNotification? notification = null;
        foreach (var spec in plan.Spec.Notifications)
        {
            if (!NotificationFilter.Accepts(spec, announcement.Type, announcement.Severity))
            {
                continue;
            }

            notification ??= RolloutNotification.Of(plan, status, announcement, _time.GetUtcNow());
            Enqueue((plan.Namespace, plan.Metadata.Name, spec.Name), new QueuedNotification(spec, plan.Namespace, notification));
        }

        if (RolloutMachine.IsTerminal(status.Phase))
        {
            // The rollout's story is told: its queues finish what they hold, then go away.
            foreach (var key in _queues.Keys.Where(k => k.Namespace == plan.Namespace && k.Rollout == plan.Metadata.Name))
            {
                if (_queues.TryRemove(key, out var queue))
                {
                    _closing.TryAdd(queue, 0);
                    queue.Close();
                    _ = queue.Drained.ContinueWith(_ => _closing.TryRemove(queue, out var _), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                }
            }
        }
    }

    /// <summary>Closes the queues, lets them deliver for up to the shutdown grace, then cancels what is left.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        var drained = CloseAll();
        _stopping.CancelAfter(_options.ShutdownGrace);
        await Task.WhenAll(drained).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>Stops at once: what is still queued is counted as canceled.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        CloseAll();
        _stopping.Cancel();
    }

    private void Enqueue((string Namespace, string Rollout, string Notification) key, QueuedNotification item)
    {
        while (Volatile.Read(ref _stopped) == 0)
        {
            var queue = _queues.GetOrAdd(key, _ => new NotifierQueue(_options.QueueCapacity, DeliverAsync, dropped => _sender.Skipped(dropped.Spec, dropped.Notification, DeliveryFailure.Dropped)));
            if (queue.TryEnqueue(item))
            {
                return;
            }

            // Closed under us (the rollout ended meanwhile): a fresh queue takes the event.
            _queues.TryRemove(new KeyValuePair<(string, string, string), NotifierQueue>(key, queue));
        }

        _sender.Skipped(item.Spec, item.Notification, DeliveryFailure.Canceled);
    }

    private async Task DeliverAsync(QueuedNotification item)
    {
        try
        {
            await _sender.SendAsync(item.Spec, item.Namespace, item.Notification, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours must not stop the queue; the event is lost, and said so.
            LogDeliveryBug(_logger, e, item.Notification.Rollout.Namespace, item.Notification.Rollout.Rollout, item.Spec.Name);
        }
    }

    private List<Task> CloseAll()
    {
        var drained = _closing.Keys.Select(q => q.Drained).ToList();
        foreach (var key in _queues.Keys)
        {
            if (_queues.TryRemove(key, out var queue))
            {
                queue.Close();
                drained.Add(queue.Drained);
            }
        }

        return drained;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Namespace}/{Rollout}: the notifications of an event could not be queued")]
    private static partial void LogQueueBug(ILogger logger, Exception exception, string @namespace, string rollout);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Namespace}/{Rollout}: notification {Notification} failed unexpectedly")]
    private static partial void LogDeliveryBug(ILogger logger, Exception exception, string @namespace, string rollout, string notification);
}
