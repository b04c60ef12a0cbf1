using System.Text.Json.Nodes;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Caching;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Scheduling;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Service;

/// <summary>
/// Turns the RolloutPlans the watch cache reports into schedules, on the leader and for the plans the
/// driving rule gives it: a plan whose last rollout ended and whose spec changed since starts a new
/// rollout; a plan in progress is scheduled; an invalid plan says why in its status; a deleted plan's
/// job goes away, and its traffic goes back to stable when its <c>onDelete</c> says so. The leader's
/// rebuild goes through the same path. Each change is handled on its own, so one bad object never
/// stops the others.
/// </summary>
public sealed partial class PlanController(
    WatchCache cache,
    PlanReader reader,
    KubernetesRolloutStore store,
    RolloutReconciler reconciler,
    RolloutScheduler scheduler,
    DrivingRule rule,
    RolloutEventHub hub,
    IErrorCounter errors,
    TimeProvider time,
    ILogger<PlanController> logger)
    : BackgroundService
{
    /// <summary>The condition an invalid plan's status carries, with its problems.</summary>
    public const string ValidCondition = "Valid";

    private readonly System.Threading.Channels.ChannelReader<ChangeNotice> _changes = cache.Subscribe(CanaryPilotResources.RolloutPlans);

    /// <summary>The watch has listed the plans at least once and is following them.</summary>
    public bool Ready => cache.IsSynced(CanaryPilotResources.RolloutPlans);

    /// <summary>
    /// Schedules every plan this replica now drives, from the cache once it has listed (within
    /// <paramref name="syncTimeout"/>); returns how many. Their first ticks are spread over one interval.
    /// </summary>
    public async Task<int> RebuildAsync(TimeSpan syncTimeout, CancellationToken cancellationToken)
    {
        await cache.WaitForSyncAsync(syncTimeout, time, cancellationToken);
        var due = new List<StoredRollout>();
        foreach (var rollout in await store.ListAsync(cancellationToken))
        {
            if (await DueAsync(rollout, cancellationToken) is { } going)
            {
                due.Add(going);
            }
        }

        return await scheduler.RebuildAsync(due, cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var change in _changes.ReadAllAsync(stoppingToken))
            {
                await HandleAsync(change, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task HandleAsync(ChangeNotice change, CancellationToken cancellationToken)
    {
        var (ns, name) = (change.Namespace, change.Name);
        try
        {
            if (change.Type == WatchEventType.Deleted)
            {
                var deleted = await reader.ReadAsync(change.Item, cancellationToken);
                reader.Forget(ns, name);
                if (rule.Check(ns, deleted.DrivenBy) == DrivingRule.Refusal.None)
                {
                    await scheduler.UnscheduleAsync(ns, name, cancellationToken);
                    await RestoreStableAsync(deleted, cancellationToken);
                }

                return;
            }

            var rollout = await reader.ReadAsync(change.Item, cancellationToken);
            hub.Publish(ns, name, rollout.Status);
            // A notice may be old by the time it is handled; what it makes this do is safe all the same:
            // a restart applies only to the status as it then is, and a job scheduled for a rollout that
            // ended meanwhile removes itself at its first tick.
            if (await DueAsync(rollout, cancellationToken) is { Plan: { } plan })
            {
                if (!await scheduler.IsScheduledAsync(ns, name, cancellationToken))
                {
                    await scheduler.ScheduleAsync(ns, name, plan.Spec.Analysis.Interval, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            errors.Count("plan-controller");
            LogEventFailed(logger, e, ns, name, e.Message);
        }
    }

    /// <summary>
    /// The rollout as it should be driven now, or null when this replica does not drive it or it has
    /// nothing to do: a plan that changed since its rollout ended is started over, an invalid plan
    /// gets its problems in a status condition.
    /// </summary>
    private async Task<StoredRollout?> DueAsync(StoredRollout rollout, CancellationToken cancellationToken)
    {
        if (rule.Check(rollout.Namespace, rollout.DrivenBy) != DrivingRule.Refusal.None)
        {
            return null;
        }

        if (rollout.Plan is null)
        {
            var problems = string.Join("; ", rollout.Problems.Select(p => p.ToString()));
            LogInvalid(logger, rollout.Namespace, rollout.Name, problems);
            await store.UpdateStatusAsync(rollout.Namespace, rollout.Name, s => s with
            {
                Conditions = RolloutCondition.Set(s.Conditions, ValidCondition, false, "InvalidPlan", problems, time.GetUtcNow()),
            }, cancellationToken);
            return null;
        }

        var status = rollout.Status;
        if (rollout.ChangedSinceItsRollout)
        {
            // Only while it is still so: a tick or another replica that wrote first wins.
            status = await store.UpdateStatusAsync(rollout.Namespace, rollout.Name, s => StoredRollout.Restarted(s, rollout.Generation), cancellationToken);
        }
        else if (status.Conditions.Any(c => c.Type == ValidCondition && c.Status == "False"))
        {
            status = await store.UpdateStatusAsync(rollout.Namespace, rollout.Name, s => s with
            {
                Conditions = RolloutCondition.Set(s.Conditions, ValidCondition, true, "ValidPlan", "the plan is valid", time.GetUtcNow()),
            }, cancellationToken);
        }

        return RolloutMachine.IsTerminal(status.Phase) ? null : rollout with { Status = status };
    }

    /// <summary>A plan deleted mid-rollout whose <c>onDelete</c> says <c>restoreStable</c> gets all its traffic back on stable.</summary>
    private async Task RestoreStableAsync(StoredRollout deleted, CancellationToken cancellationToken)
    {
        if (deleted.Plan is { Spec.OnDelete: DeletionPolicy.RestoreStable } plan
            && deleted.Status.Phase != RolloutPhase.Pending
            && !RolloutMachine.IsTerminal(deleted.Status.Phase))
        {
            await reconciler.RestoreStableAsync(plan, cancellationToken);
            LogRestored(logger, deleted.Namespace, deleted.Name, deleted.Status.Phase);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RolloutPlan {Namespace}/{Rollout} was deleted while {Phase}; all traffic is back on stable (onDelete: restoreStable)")]
    private static partial void LogRestored(ILogger logger, string @namespace, string rollout, RolloutPhase phase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RolloutPlan {Namespace}/{Rollout} is invalid and is not driven: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string @namespace, string rollout, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling RolloutPlan {Namespace}/{Rollout} failed: {Error}")]
    private static partial void LogEventFailed(ILogger logger, Exception exception, string @namespace, string rollout, string error);
}
