using CanaryPilot.Core.Diagnostics;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CanaryPilot.Service;

/// <summary>
/// Elects one replica on a Lease with KubernetesClient's LeaderElector. Only the leader's scheduler
/// runs rollouts. A newly elected leader rebuilds every schedule from the persisted statuses before
/// it says it leads; if that fails, it releases the Lease at once, says why, and stays out of the
/// election for a lease duration so another replica takes over. A replica that loses the Lease puts
/// its scheduler on standby.
/// </summary>
public sealed partial class LeaderService(
    IKubernetes client,
    ServiceOptions options,
    ISchedulerFactory schedulers,
    PlanController controller,
    Leadership leadership,
    ServiceMetrics metrics,
    IErrorCounter errors,
    TimeProvider time,
    ILogger<LeaderService> logger)
    : BackgroundService
{
    public bool IsLeader => leadership.IsLeading;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var parts = options.Lease.Split('/', 2);
        var (ns, name) = parts.Length == 2 ? (parts[0], parts[1]) : ("default", parts[0]);
        var lease = new LeaseLock(client, ns, name, options.Identity);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await TermAsync(lease, stoppingToken))
                {
                    // The rebuild failed and the Lease is free: let another replica take it first.
                    await Task.Delay(options.LeaseDuration, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                errors.Count("leader");
                LogElectionFailed(logger, e, options.Identity, e.Message);
                await Task.Delay(options.RetryPeriod, time, stoppingToken);
            }
        }

        await StepDownAsync();
    }

    /// <summary>One term: campaign, lead until the Lease is lost; false when leading could not start (the Lease was released).</summary>
    private async Task<bool> TermAsync(LeaseLock lease, CancellationToken stoppingToken)
    {
        using var term = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var elector = new LeaderElector(new LeaderElectionConfig(lease)
        {
            LeaseDuration = options.LeaseDuration,
            RenewDeadline = options.RenewDeadline,
            RetryPeriod = options.RetryPeriod,
        });
        var elected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        elector.OnStartedLeading += () => elected.TrySetResult();
        var running = elector.RunUntilLeadershipLostAsync(term.Token);
        if (await Task.WhenAny(elected.Task, running) == running)
        {
            await running;
            return true;
        }

        try
        {
            await LeadAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            errors.Count("leader");
            LogRebuildFailed(logger, e, options.Identity, e.Message);
            await term.CancelAsync();
            await Ended(running);
            await StepDownAsync();
            await ReleaseAsync(lease);
            return false;
        }

        await Ended(running);
        await StepDownAsync();
        return true;
    }

    /// <summary>Rebuilds, then starts the scheduler; only then does this replica say it leads.</summary>
    private async Task LeadAsync(CancellationToken cancellationToken)
    {
        var quartz = await schedulers.GetScheduler(cancellationToken);
        // Rebuild first, then start: the first ticks fire spread over an interval, not all at once.
        leadership.TakeOver();
        var rebuilt = await controller.RebuildAsync(options.CacheSyncTimeout, cancellationToken);
        await quartz.Start(cancellationToken);
        leadership.Lead();
        metrics.Leading(true);
        LogLeading(logger, options.Identity, rebuilt);
    }

    private async Task StepDownAsync()
    {
        var was = leadership.IsLeading;
        leadership.StandBy();
        metrics.Leading(false);
        var quartz = await schedulers.GetScheduler(CancellationToken.None);
        if (was)
        {
            await quartz.Standby(CancellationToken.None);
            LogStandby(logger, options.Identity);
        }

        // A standby keeps no schedule: the next leader, maybe this replica, rebuilds it from the statuses.
        await quartz.Clear(CancellationToken.None);
    }

    /// <summary>Gives the Lease up at once (as client-go's release does: no holder, a one-second duration), if this replica still holds it.</summary>
    private async Task ReleaseAsync(LeaseLock lease)
    {
        try
        {
            var record = await lease.GetAsync(CancellationToken.None);
            if (record.HolderIdentity == options.Identity)
            {
                var now = time.GetUtcNow().UtcDateTime;
                await lease.UpdateAsync(new LeaderElectionRecord { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = now, RenewTime = now, LeaderTransitions = record.LeaderTransitions }, CancellationToken.None);
                LogReleased(logger, options.Identity, options.Lease);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The Lease then expires by itself after its duration.
            errors.Count("leader");
            LogReleaseFailed(logger, e, options.Identity, e.Message);
        }
    }

    private static async Task Ended(Task running)
    {
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
            // The term was ended on purpose.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} leads: {Rollouts} rollouts rescheduled from their persisted status")]
    private static partial void LogLeading(ILogger logger, string identity, int rollouts);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} is on standby")]
    private static partial void LogStandby(ILogger logger, string identity);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity} was elected but could not rebuild the schedule ({Error}); it gives the Lease up so another replica can lead")]
    private static partial void LogRebuildFailed(ILogger logger, Exception exception, string identity, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the Lease {Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity} could not release the Lease ({Error}); it expires by itself")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string identity, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Identity}: the leader election failed ({Error}); campaigning again")]
    private static partial void LogElectionFailed(ILogger logger, Exception exception, string identity, string error);
}
