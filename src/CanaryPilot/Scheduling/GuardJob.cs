using Quartz;

namespace CanaryPilot.Scheduling;

/// <summary>The continuous guard's wake-up, every <see cref="ContinuousGuard.Period"/>; one look at a time.</summary>
[DisallowConcurrentExecution]
internal sealed class GuardJob(ContinuousGuard guard) : IJob
{
    /// <summary>The job's key: a group no namespace can be (namespaces have no dots), so no plan's job collides with it.</summary>
    public static readonly JobKey Key = new("guard", "canarypilot.io");

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) => await guard.LookAsync(cancellationToken);
}
