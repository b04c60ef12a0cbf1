using Quartz;

namespace CanaryPilot.Scheduling;

/// <summary>The continuous guard's wake-up, every <see cref="ContinuousGuard.Period"/>; one look at a time.</summary>
[DisallowConcurrentExecution]
internal sealed class GuardJob(ContinuousGuard guard) : IJob
{
    /// <summary>The job's key: a group no namespace can be (namespaces have no dots), so no plan's job collides with it.</summary>
    public static readonly JobKey Key = new("guard", "canarypilot.io");

    /// <summary>Looks at the rollouts this process schedules: every job but this one is a rollout's (name, namespace).</summary>
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var jobs = await context.Scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup(), cancellationToken);
        await guard.LookAsync([.. jobs.Where(j => !j.Equals(Key)).Select(j => (j.Group, j.Name))], cancellationToken);
    }
}
