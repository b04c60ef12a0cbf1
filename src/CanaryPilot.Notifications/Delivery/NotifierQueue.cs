using System.Threading.Channels;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Notifications.Delivery;

/// <summary>One event waiting for one notification of one plan.</summary>
internal sealed record QueuedNotification(NotificationSpec Spec, string Namespace, RolloutNotification Notification);

/// <summary>
/// The bounded queue of one notifier, drained in the background one event at a time, in order. When
/// the receiver falls a whole queue behind, the oldest waiting event gives way to the newest: the
/// latest news (promoted, rolled back) matters most.
/// </summary>
internal sealed class NotifierQueue
{
    private readonly Channel<QueuedNotification> _channel;

    public NotifierQueue(int capacity, Func<QueuedNotification, Task> deliver, Action<QueuedNotification> dropped)
    {
        _channel = Channel.CreateBounded(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped);
        Drained = Task.Run(() => DrainAsync(deliver));
    }

    /// <summary>Completes once the queue was closed and everything in it was handed to the deliverer.</summary>
    public Task Drained { get; }

    /// <summary>False only when the queue was closed.</summary>
    public bool TryEnqueue(QueuedNotification item) => _channel.Writer.TryWrite(item);

    public void Close() => _channel.Writer.TryComplete();

    private async Task DrainAsync(Func<QueuedNotification, Task> deliver)
    {
        await foreach (var item in _channel.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            await deliver(item).ConfigureAwait(false);
        }
    }
}
