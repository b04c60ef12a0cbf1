using System.Threading.Channels;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.Hosting;

namespace CanaryPilot.Service;

/// <summary>
/// Hands every reconcile's outcome to whoever follows a rollout (the events stream) and to the
/// service's metrics. Slow subscribers lose their oldest updates rather than hold anyone up.
/// </summary>
public sealed class RolloutEventHub(RolloutProgress progress, ServiceMetrics metrics) : BackgroundService
{
    private readonly Lock _lock = new();
    private readonly List<(string Key, Channel<RolloutStatus> Channel)> _subscribers = [];

    public ChannelReader<RolloutStatus> Subscribe(string namespaceName, string name, out IDisposable subscription)
    {
        var channel = Channel.CreateBounded<RolloutStatus>(new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest });
        var entry = ($"{namespaceName}/{name}", channel);
        lock (_lock)
        {
            _subscribers.Add(entry);
        }

        subscription = new Unsubscriber(() =>
        {
            lock (_lock)
            {
                _subscribers.Remove(entry);
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
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var report in progress.Reports.ReadAllAsync(stoppingToken))
            {
                if (report.Result?.Status is { } status)
                {
                    Publish(report.Namespace, report.Name, status);
                }
                else if (report.Failure is not null)
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
