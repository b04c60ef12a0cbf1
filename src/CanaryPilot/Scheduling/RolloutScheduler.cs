using CanaryPilot.Core.Rollouts;
using Quartz;

namespace CanaryPilot.Scheduling;

/// <summary>
/// Keeps one Quartz job per active rollout, fired every analysis interval. Missed firings (a slow
/// reconcile, a paused process) are skipped rather than stacked, and at start-up the jobs are rebuilt
/// from the rollouts' persisted status.
/// </summary>
public sealed class RolloutScheduler(ISchedulerFactory schedulers, TimeProvider time)
{
    public async Task ScheduleAsync(string namespaceName, string name, TimeSpan interval, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<RolloutJob>().WithIdentity(name, namespaceName).Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(name, namespaceName)
            .ForJob(job)
            .StartAt(time.GetUtcNow())
            .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async Task UnscheduleAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await (await schedulers.GetScheduler(cancellationToken)).DeleteJob(new JobKey(name, namespaceName), cancellationToken);

    public async Task<bool> IsScheduledAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await (await schedulers.GetScheduler(cancellationToken)).Exists(new JobKey(name, namespaceName), cancellationToken);

    /// <summary>Schedules every rollout whose persisted status is not final; returns how many.</summary>
    public async Task<int> RebuildAsync(IRolloutStore store, CancellationToken cancellationToken)
    {
        var scheduled = 0;
        foreach (var rollout in await store.ListAsync(cancellationToken))
        {
            if (rollout.Plan is { } plan && !RolloutMachine.IsTerminal(rollout.Status.Phase))
            {
                await ScheduleAsync(rollout.Namespace, rollout.Name, plan.Spec.Analysis.Interval, cancellationToken);
                scheduled++;
            }
        }

        return scheduled;
    }
}
