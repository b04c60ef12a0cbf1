using System.Threading.Channels;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.Hosting;

namespace CanaryPilot.Service;

/// <summary>
/// Hands every status a rollout goes through — as the plan watch sees it, on leader and standby alike —
/// to whoever follows the rollout (the events stream) and to the service's metrics; counts this
/// replica's failed reconciles. Slow subscribers lose their oldest updates rather than hold anyone up.
/// </summary>
public sealed class RolloutEventHub(RolloutProgress progress, ServiceMetrics metrics) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly List<(string Key, Channel<RolloutStatus> Channel)> _subscribers = [];
    private readonly List<Channel<RolloutUpdate>> _everything = [];

    public ChannelReader<RolloutStatus> Subscribe(string namespaceName, string name, out IDisposable subscription)
    {
        var key = $"{namespaceName}/{name}";
        return Join<RolloutStatus>(64, c => _subscribers.Add((key, c)), c => _subscribers.RemoveAll(s => s.Channel == c), out subscription);
    }

    /// <summary>Every rollout's statuses, for a view of them all (the dashboard's list).</summary>
    public ChannelReader<RolloutUpdate> SubscribeAll(out IDisposable subscription) =>
        Join<RolloutUpdate>(256, _everything.Add, c => _everything.Remove(c), out subscription);

    /// <summary>A subscriber's channel, kept in a list (under the lock) until the subscription is disposed.</summary>
    private ChannelReader<T> Join<T>(int capacity, Action<Channel<T>> add, Action<Channel<T>> remove, out IDisposable subscription)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_lock)
        {
            add(channel);
        }

        subscription = new Unsubscriber(() =>
        {
            lock (_lock)
            {
                remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(string namespaceName, string name, RolloutStatus status)
    {
        metrics.Observe(namespaceName, name, status);
        lock (_lock)
        {
            foreach (var (key, channel) in _subscribers)
            {
                if (key == $"{namespaceName}/{name}")
                {
                    channel.Writer.TryWrite(status);
                }
            }

            foreach (var channel in _everything)
            {
                channel.Writer.TryWrite(new RolloutUpdate(namespaceName, name, status));
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var report in progress.Reports.ReadAllAsync(stoppingToken))
            {
                if (report.Failure is not null)
                {
                    metrics.ReconcileFailed();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private sealed class Unsubscriber(Action dispose) : IDisposable
    {
        public void Dispose() => dispose();
    }
}

/// <summary>One rollout's new status.</summary>
public sealed record RolloutUpdate(string Namespace, string Name, RolloutStatus Status);
