using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CanaryPilot.Service;

/// <summary>
/// Elects one replica on a Lease with KubernetesClient's LeaderElector. Only the leader's scheduler
/// runs rollouts; a newly elected leader rebuilds every schedule from the persisted statuses, and a
/// replica that loses the lease puts its scheduler on standby.
/// </summary>
public sealed partial class LeaderService(
    IKubernetes client, ServiceOptions options, ISchedulerFactory schedulers, RolloutScheduler scheduler, IRolloutStore store, ServiceMetrics metrics, ILogger<LeaderService> logger)
    : BackgroundService
{
    private int _leading;

    public bool IsLeader => Volatile.Read(ref _leading) == 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parts = options.Lease.Split('/', 2);
        var (ns, name) = parts.Length == 2 ? (parts[0], parts[1]) : ("default", parts[0]);
        using var elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(client, ns, name, options.Identity))
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        elector.OnStartedLeading += () => _ = LeadAsync(stoppingToken);
        elector.OnStoppedLeading += () => _ = StepDownAsync();
        try
        {
            await elector.RunAndTryToHoldLeadershipForeverAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        await StepDownAsync();
    }

    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _leading, 1);
        metrics.Leading(true);
        // Rebuild first, then start: the first ticks fire spread over an interval, not all at once.
        var quartz = await schedulers.GetScheduler(cancellationToken);
        var rebuilt = await scheduler.RebuildAsync(store, cancellationToken);
        await quartz.Start(cancellationToken);
        LogLeading(logger, options.Identity, rebuilt);
    }

    private async Task StepDownAsync()
    {
        if (Interlocked.Exchange(ref _leading, 0) == 1)
        {
            metrics.Leading(false);
            var quartz = await schedulers.GetScheduler(CancellationToken.None);
            await quartz.Standby(CancellationToken.None);
            LogStandby(logger, options.Identity);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} leads: {Rollouts} rollouts rescheduled from their persisted status")]
    private static partial void LogLeading(ILogger logger, string identity, int rollouts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is on standby")]
    private static partial void LogStandby(ILogger logger, string identity);
}
