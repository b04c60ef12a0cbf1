using CanaryPilot.Cli;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Hosting;

/// <summary>
/// One rollout driven in this process to its verdict (<c>run</c> and <c>demo</c>): publish the plan,
/// start, resume or report it, let Quartz reconcile it every interval, and follow the reports.
/// </summary>
internal sealed class RolloutSession(ServiceProvider engine, RolloutPlan plan, RunView view, Func<RolloutStatus, Task>? onProgress = null)
{
    /// <summary>Consecutive failed reconciles (cluster unreachable) tolerated before giving up with exit 3.</summary>
    private const int MaxConsecutiveFailures = 10;

    /// <summary>The phase each stage was first seen in, and when: the session's history.</summary>
    public List<(DateTimeOffset At, RolloutStatus Status)> History { get; } = [];

    public RolloutStatus? Final { get; private set; }

    /// <summary>Runs the rollout; returns the exit code of <c>run</c>.</summary>
    public async Task<int> RunAsync(SourceDocument document, bool untilApproval, CancellationToken cancellationToken)
    {
        var (ready, exit) = await PrepareAsync(document, cancellationToken);
        if (!ready)
        {
            return exit;
        }

        var quartz = await engine.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        await quartz.Start(CancellationToken.None);
        var scheduler = engine.GetRequiredService<RolloutScheduler>();
        await scheduler.ScheduleAsync(plan.Namespace, plan.Metadata.Name, plan.Spec.Analysis.Interval, CancellationToken.None);
        await scheduler.ScheduleGuardAsync(CancellationToken.None);
        try
        {
            return await FollowAsync(untilApproval, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Let a reconcile in flight finish, so the status is consistent, then say how to resume.
            await quartz.Shutdown(waitForJobsToComplete: true, CancellationToken.None);
            var status = (await engine.GetRequiredService<IRolloutStore>().GetAsync(plan.Namespace, plan.Metadata.Name, CancellationToken.None))?.Status;
            view.Summary("interrupted", ExitCodes.Interrupted, status, $"stopped at {status?.StageName ?? "the start"} ({status?.Phase}); the status is saved in RolloutPlan {plan.Namespace}/{plan.Metadata.Name}: run the same command again to resume");
            return ExitCodes.Interrupted;
        }
        finally
        {
            await quartz.Shutdown(waitForJobsToComplete: true, CancellationToken.None);
        }
    }

    /// <summary>Publishes the plan and decides whether to start, resume, or report a rollout that has already ended.</summary>
    private async Task<(bool Ready, int Exit)> PrepareAsync(SourceDocument document, CancellationToken cancellationToken)
    {
        try
        {
            await new PlanPublisher(engine.GetRequiredService<CustomObjects>()).PublishAsync(plan, SourceJson.From(document.Root)!.AsObject(), cancellationToken);
            var store = engine.GetRequiredService<IRolloutStore>();
            var stored = (await store.GetAsync(plan.Namespace, plan.Metadata.Name, cancellationToken))!;
            var status = stored.Status;
            if (stored.EndedAtThisGeneration)
            {
                var exit = ExitFor(status.Phase);
                Final = status;
                view.Summary(Verdict(status.Phase), exit, status, $"this plan already ran to its end: {status.Message}");
                return (false, exit);
            }

            if (stored.ChangedSinceItsRollout)
            {
                await store.UpdateStatusAsync(plan.Namespace, plan.Metadata.Name, s => StoredRollout.Restarted(s, stored.Generation), cancellationToken);
                view.Note($"the plan changed since its last rollout ({status.Phase}); starting a new rollout");
            }
            else if (status.Phase != RolloutPhase.Pending)
            {
                view.Note($"resuming the rollout at {status.StageName} ({status.Phase})");
            }

            return (true, ExitCodes.Success);
        }
        catch (CrdMissingException e)
        {
            view.Summary("error", ExitCodes.InfrastructureFailure, null, e.Message);
            return (false, ExitCodes.InfrastructureFailure);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or Polly.Timeout.TimeoutRejectedException)
        {
            view.Summary("error", ExitCodes.InfrastructureFailure, null, $"cannot reach the cluster: {OneLine(e.Message)}");
            return (false, ExitCodes.InfrastructureFailure);
        }
    }

    private async Task<int> FollowAsync(bool untilApproval, CancellationToken cancellationToken)
    {
        var failures = 0;
        var time = engine.GetRequiredService<TimeProvider>();
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(cancellationToken))
        {
            if (report.Failure is { } failure)
            {
                view.Note($"reconcile failed ({++failures} in a row): {OneLine(failure.Message)}");
                if (failures >= MaxConsecutiveFailures)
                {
                    view.Summary("error", ExitCodes.InfrastructureFailure, null, $"giving up after {failures} failed reconciles in a row; the status is saved, run the same command again to resume");
                    return ExitCodes.InfrastructureFailure;
                }

                continue;
            }

            failures = 0;
            if (report.Result?.Status is not { } status)
            {
                view.Summary("error", ExitCodes.InfrastructureFailure, null, report.Result?.Rejection ?? "the rollout plan disappeared");
                return ExitCodes.InfrastructureFailure;
            }

            History.Add((time.GetUtcNow(), status));
            view.Progress(plan, status);
            if (onProgress is not null)
            {
                await onProgress(status);
            }

            if (RolloutMachine.IsTerminal(status.Phase))
            {
                Final = status;
                var exit = ExitFor(status.Phase);
                view.Summary(Verdict(status.Phase), exit, status, status.Message ?? "");
                return exit;
            }

            if (untilApproval && status.Phase == RolloutPhase.AwaitingApproval)
            {
                Final = status;
                view.Summary("awaiting-approval", ExitCodes.AwaitingApproval, status, $"{status.Message}; approve it, then run the same command again to go on");
                return ExitCodes.AwaitingApproval;
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    private static int ExitFor(RolloutPhase phase) => phase == RolloutPhase.Succeeded ? ExitCodes.Success : ExitCodes.Failed;

    private static string Verdict(RolloutPhase phase) => phase switch
    {
        RolloutPhase.Succeeded => "promoted",
        RolloutPhase.Aborted => "aborted",
        _ => "rolled-back",
    };

    private static string OneLine(string message) => string.Join(' ', message.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
