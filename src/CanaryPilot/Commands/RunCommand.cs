using System.CommandLine;
using System.Runtime.InteropServices;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;
using CanaryPilot.Hosting;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Scheduling;
using CanaryPilot.Secrets;
using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot run -f PLAN</c>: one rollout, in this process, to its verdict — the command a CI job
/// calls. The plan is put into the cluster as its RolloutPlan (so the status survives this process and
/// running the same command again resumes), then Quartz reconciles it every analysis interval.
/// </summary>
internal static class RunCommand
{
    /// <summary>Consecutive failed reconciles (cluster unreachable) tolerated before giving up with exit 3.</summary>
    private const int MaxConsecutiveFailures = 10;

    public static Command Create(CliConsole console)
    {
        var files = CommonOptions.Files("The RolloutPlan file, and AnalysisTemplates it uses. Repeatable.");
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The kubeconfig to use; $KUBECONFIG or ~/.kube/config by default." };
        var context = new Option<string?>("--context") { Description = "The kubeconfig context to use; its current context by default." };
        var prometheus = new Option<string?>("--prometheus") { Description = "The Prometheus (or compatible) base URL; overrides spec.analysis.prometheus.address." };
        var output = CommonOptions.Output();
        var untilApproval = new Option<bool>("--until-approval") { Description = "Exit with 4 when the rollout waits for approval, instead of waiting." };
        var command = new Command("run", "Run one rollout to its verdict, as a CI job does. Exit 0 promoted, 1 rolled back or aborted, 2 invalid input, 3 infrastructure failure, 4 awaiting approval (with --until-approval), 130 interrupted (run again to resume).")
        {
            files, kubeconfig, context, prometheus, output, untilApproval,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new RunRequest(
                result.GetValue(files)!,
                result.GetValue(kubeconfig),
                result.GetValue(context),
                result.GetValue(prometheus),
                result.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text,
                result.GetValue(untilApproval)),
            console,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(RunRequest request, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var input = new InputLoader().Load(request.Files);
        var report = PlanValidation.Validate(input, TemplateCatalog.BuiltIn());
        if (!report.IsValid)
        {
            DiagnosticPrinter.WriteText(console.Error, report.Diagnostics);
            return ExitCodes.InvalidInput;
        }

        if (report.ValidPlans is not [var plan])
        {
            return Refuse(console, $"run drives one RolloutPlan; the files hold {report.ValidPlans.Count}: give one plan file");
        }

        var prometheus = request.Prometheus ?? plan.Spec.Analysis.Prometheus.Address;
        if (!Uri.TryCreate(prometheus, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            return Refuse(console, prometheus is null ? "no Prometheus address: set spec.analysis.prometheus.address or pass --prometheus URL" : $"\"{prometheus}\" is not an absolute http or https URL");
        }

        KubernetesClientConfiguration cluster;
        try
        {
            cluster = KubernetesClientConfiguration.BuildConfigFromConfigFile(request.Kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG"), request.Context);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            return Refuse(console, $"cannot use the kubeconfig: {OneLine(e.Message)}");
        }

        using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Interrupt(signal, interrupted));
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Interrupt(signal, interrupted));
        var view = new RunView(console, request.Format, time, color: request.Format == OutputFormat.Text && !Console.IsOutputRedirected && console.Out == Console.Out);
        var services = new ServiceCollection();
        services.AddLogging(builder => Logging.ForCli(builder));
        services.AddRolloutEngine(new EngineSettings { Cluster = cluster, Prometheus = address, LocalSecrets = new LocalSecretResolver(), Time = time });
        services.AddSingleton<IRolloutObserver>(view);
        await using var engine = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var document = input.Documents.First(d => d.Kind == RolloutPlan.ResourceKind && d.Name == plan.Metadata.Name);
        var (ready, exit) = await PrepareAsync(engine, plan, document, view, console, interrupted.Token);
        if (!ready)
        {
            return exit;
        }

        var quartz = await engine.GetRequiredService<ISchedulerFactory>().GetScheduler(CancellationToken.None);
        await quartz.Start(CancellationToken.None);
        await engine.GetRequiredService<RolloutScheduler>().ScheduleAsync(plan.Namespace, plan.Metadata.Name, plan.Spec.Analysis.Interval, CancellationToken.None);
        try
        {
            return await FollowAsync(engine.GetRequiredService<RolloutProgress>(), plan, view, request.UntilApproval, interrupted.Token);
        }
        catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
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
    private static async Task<(bool Ready, int Exit)> PrepareAsync(ServiceProvider engine, RolloutPlan plan, SourceDocument document, RunView view, CliConsole console, CancellationToken cancellationToken)
    {
        try
        {
            var generation = await new PlanPublisher(engine.GetRequiredService<CustomObjects>()).PublishAsync(plan, SourceJson.From(document.Root)!.AsObject(), cancellationToken);
            var store = engine.GetRequiredService<IRolloutStore>();
            var status = (await store.GetAsync(plan.Namespace, plan.Metadata.Name, cancellationToken))!.Status;
            if (RolloutMachine.IsTerminal(status.Phase) && status.ObservedGeneration == generation)
            {
                var exit = ExitFor(status.Phase);
                view.Summary(Verdict(status.Phase), exit, status, $"this plan already ran to its end: {status.Message}");
                return (false, exit);
            }

            if (RolloutMachine.IsTerminal(status.Phase))
            {
                await store.UpdateStatusAsync(plan.Namespace, plan.Metadata.Name, _ => new RolloutStatus(), cancellationToken);
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
            console.Error.WriteLine($"canarypilot: {e.Message}");
            return (false, ExitCodes.InfrastructureFailure);
        }
        catch (Exception e) when (e is HttpRequestException or k8s.Autorest.HttpOperationException or Polly.Timeout.TimeoutRejectedException)
        {
            console.Error.WriteLine($"canarypilot: cannot reach the cluster: {OneLine(e.Message)}");
            return (false, ExitCodes.InfrastructureFailure);
        }
    }

    private static async Task<int> FollowAsync(RolloutProgress progress, RolloutPlan plan, RunView view, bool untilApproval, CancellationToken cancellationToken)
    {
        var failures = 0;
        await foreach (var report in progress.Reports.ReadAllAsync(cancellationToken))
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

            view.Progress(plan, status);
            if (RolloutMachine.IsTerminal(status.Phase))
            {
                var exit = ExitFor(status.Phase);
                view.Summary(Verdict(status.Phase), exit, status, status.Message ?? "");
                return exit;
            }

            if (untilApproval && status.Phase == RolloutPhase.AwaitingApproval)
            {
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

    private static void Interrupt(PosixSignalContext signal, CancellationTokenSource interrupted)
    {
        signal.Cancel = true;
        interrupted.Cancel();
    }

    private static int Refuse(CliConsole console, string message)
    {
        console.Error.WriteLine($"canarypilot: {message}");
        return ExitCodes.InvalidInput;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
