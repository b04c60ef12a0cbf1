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
    public Task ScheduleAsync(string namespaceName, string name, TimeSpan interval, CancellationToken cancellationToken) =>
        ScheduleAsync(namespaceName, name, interval, TimeSpan.Zero, cancellationToken);

    /// <summary>Reconciles the rollout every <paramref name="interval"/>, the first time <paramref name="firstIn"/> from now.</summary>
    public async Task ScheduleAsync(string namespaceName, string name, TimeSpan interval, TimeSpan firstIn, CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<RolloutJob>().WithIdentity(name, namespaceName).Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(name, namespaceName)
            .ForJob(job)
            .StartAt(time.GetUtcNow() + firstIn)
            .WithSimpleSchedule(schedule => schedule.WithInterval(interval).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    /// <summary>Wakes the continuous guard every <see cref="ContinuousGuard.Period"/>, for every rollout this process drives.</summary>
    public async Task ScheduleGuardAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var job = JobBuilder.Create<GuardJob>().WithIdentity(GuardJob.Key).Build();
        var trigger = TriggerBuilder.Create()
            .WithIdentity(GuardJob.Key.Name, GuardJob.Key.Group)
            .ForJob(job)
            .StartAt(time.GetUtcNow() + ContinuousGuard.Period)
            .WithSimpleSchedule(schedule => schedule.WithInterval(ContinuousGuard.Period).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
            .Build();
        await scheduler.ScheduleJob(job, [trigger], new ScheduleJobOptions { Replace = true }, cancellationToken);
    }

    public async Task UnscheduleAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await (await schedulers.GetScheduler(cancellationToken)).DeleteJob(new JobKey(name, namespaceName), cancellationToken);

    public async Task<bool> IsScheduledAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await (await schedulers.GetScheduler(cancellationToken)).Exists(new JobKey(name, namespaceName), cancellationToken);

    /// <summary>
    /// Schedules every rollout of <paramref name="rollouts"/> whose persisted status is not final; returns how many. Their first ticks are spread evenly over one interval, so a leader
    /// taking over thousands of rollouts neither fires them all at once nor keeps them in step afterwards.
    /// </summary>
    public async Task<int> RebuildAsync(IReadOnlyList<StoredRollout> rollouts, CancellationToken cancellationToken)
    {
        await ScheduleGuardAsync(cancellationToken);
        var going = rollouts.Where(r => r.Plan is not null && !RolloutMachine.IsTerminal(r.Status.Phase)).ToList();
        for (var i = 0; i < going.Count; i++)
        {
            var interval = going[i].Plan!.Spec.Analysis.Interval;
            await ScheduleAsync(going[i].Namespace, going[i].Name, interval, interval * i / going.Count, cancellationToken);
        }

        return going.Count;
    }
}
