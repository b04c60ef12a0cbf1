using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Rollouts;
using Microsoft.Extensions.Logging;
using Quartz;

namespace CanaryPilot.Scheduling;

/// <summary>
/// One rollout's analysis interval: reconcile it with a tick. The job key is the rollout
/// (name, group = namespace), so there is no job data to get wrong; a rollout's job never runs twice
/// at once, and the job of a finished rollout, or of one this process no longer drives, removes itself.
/// </summary>
[DisallowConcurrentExecution]
internal sealed partial class RolloutJob(RolloutReconciler reconciler, RolloutProgress progress, GuardCandidates guarded, IErrorCounter errors, ILogger<RolloutJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var key = context.JobDetail.Key;
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["Namespace"] = key.Group, ["Rollout"] = key.Name });
        try
        {
            var result = await reconciler.ReconcileAsync(key.Group, key.Name, new Tick(), cancellationToken);
            if (result.NotDrivenHere)
            {
                LogNotDriven(logger, key.Group, key.Name, result.Rejection);
                await RemoveAsync(context, cancellationToken);
                return;
            }

            progress.Report(result);
            if (result.Status is { } found)
            {
                guarded.Consider(key.Group, key.Name, found);
            }

            if (result.Status is not { } status || RolloutMachine.IsTerminal(status.Phase))
            {
                await RemoveAsync(context, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The status persisted so far stands; the next interval re-applies it and tries again.
            errors.Count("reconcile");
            LogReconcileFailed(logger, e, key.Group, key.Name, e.Message);
            progress.ReportFailure(key.Group, key.Name, e);
        }
    }

    /// <summary>A finished rollout's job goes away; if the scheduler is shutting down, it goes with it anyway.</summary>
    private async Task RemoveAsync(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        try
        {
            await context.Scheduler.DeleteJob(context.JobDetail.Key, cancellationToken);
        }
        catch (SchedulerException e)
        {
            if (await context.Scheduler.GetStatus(CancellationToken.None) is SchedulerStatus.ShuttingDown or SchedulerStatus.Shutdown)
            {
                // The scheduler is going, and the job with it: nothing is left to remove.
                return;
            }

            // It fires again; the next run removes it.
            errors.Count("scheduler");
            LogRemoveFailed(logger, e, context.JobDetail.Key.Group, context.JobDetail.Key.Name, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Namespace}/{Rollout} is not driven here any more ({Reason}); its schedule is removed")]
    private static partial void LogNotDriven(ILogger logger, string @namespace, string rollout, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing the schedule of {Namespace}/{Rollout} failed: {Error}")]
    private static partial void LogRemoveFailed(ILogger logger, Exception exception, string @namespace, string rollout, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reconciling {Namespace}/{Rollout} failed: {Error}; the next interval tries again")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string @namespace, string rollout, string error);
}
