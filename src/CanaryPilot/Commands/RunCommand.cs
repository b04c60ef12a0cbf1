using System.CommandLine;
using System.Runtime.InteropServices;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;
using CanaryPilot.Hosting;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Secrets;
using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot run -f PLAN</c>: one rollout, in this process, to its verdict — the command a CI job
/// calls. The plan is put into the cluster as its RolloutPlan (so the status survives this process and
/// running the same command again resumes), then Quartz reconciles it every analysis interval.
/// </summary>
internal static class RunCommand
{
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
        services.AddRolloutEngine(new EngineSettings { Cluster = cluster, Prometheus = address, Rule = DrivingRule.ForCli(), Component = "run", LocalSecrets = new LocalSecretResolver(), Time = time });
        services.AddSingleton<IRolloutObserver>(view);
        await using var engine = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });

        var document = input.Documents.First(d => d.Kind == RolloutPlan.ResourceKind && d.Name == plan.Metadata.Name);
        return await new RolloutSession(engine, plan, view).RunAsync(document, request.UntilApproval, interrupted.Token);
    }

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
