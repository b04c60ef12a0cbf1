using System.CommandLine;
using System.Security.Cryptography;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Core.Validation;
using CanaryPilot.Kubernetes;
using CanaryPilot.Prometheus;
using CanaryPilot.Secrets;
using k8s;
using k8s.Exceptions;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot analyze -f PLAN [--prometheus URL] [--kubeconfig K] [--output text|json]</c>: evaluates the
/// plan's metrics once, now, and shows each query, value, threshold and verdict — how a person checks
/// their queries before a rollout. Exit 0 all pass, 1 any fail or inconclusive, 2 invalid input, 3 the
/// provider failed.
/// </summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliConsole console)
    {
        var files = CommonOptions.Files("The RolloutPlan, and any AnalysisTemplates it names that are not shipped (files or directories). Repeatable.");
        var prometheus = new Option<string?>("--prometheus") { Description = "Base URL of the Prometheus HTTP API; overrides spec.analysis.prometheus.address.", HelpName = "URL" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "A kubeconfig for reading the Secrets the plan's secretKeyRefs name.", HelpName = "FILE" };
        var output = CommonOptions.Output();
        var command = new Command("analyze", "Evaluate a plan's metrics once, now, against Prometheus: each query, value, threshold and verdict. Exit 0 pass, 1 fail or inconclusive, 2 invalid input, 3 Prometheus failed.")
        {
            files, prometheus, kubeconfig, output,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new AnalyzeRequest(result.GetValue(files)!, result.GetValue(prometheus), result.GetValue(kubeconfig), result.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text),
            console,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(AnalyzeRequest request, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var templates = TemplateCatalog.BuiltIn();
        var report = PlanValidation.Validate(new InputLoader().Load(request.Files), templates);
        if (!report.IsValid)
        {
            DiagnosticPrinter.WriteText(console.Error, report.Diagnostics);
            return ExitCodes.InvalidInput;
        }

        if (report.ValidPlans is not [var plan])
        {
            var names = string.Join(", ", report.ValidPlans.Select(p => $"{p.Namespace}/{p.Metadata.Name}"));
            return Refuse(console, $"analyze evaluates one RolloutPlan; the files hold {report.ValidPlans.Count} ({names}): give one plan file");
        }

        if (Address(plan, request.Prometheus) is not { } address)
        {
            return Refuse(console, request.Prometheus is null
                ? "no Prometheus address: set spec.analysis.prometheus.address or pass --prometheus URL"
                : $"--prometheus \"{request.Prometheus}\" is not an absolute http or https URL");
        }

        PrometheusClient client;
        k8s.Kubernetes? cluster = null;
        try
        {
            cluster = request.Kubeconfig is { } kubeconfig ? KubernetesClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig)) : null;
            var options = await PrometheusConnection.OptionsAsync(plan.Spec.Analysis.Prometheus, address, plan.Namespace, CliSecrets.For(cluster, time), cancellationToken);
            client = PrometheusClient.Create(options, time);
        }
        catch (Exception e) when (e is SecretUnavailableException or KubeConfigException or IOException or CryptographicException or UnauthorizedAccessException)
        {
            return Refuse(console, $"spec.analysis.prometheus: {OneLine(e.Message)}");
        }
        catch (HttpRequestException e)
        {
            console.Error.WriteLine($"canarypilot: cannot read the plan's Secrets from the cluster: {OneLine(e.Message)}");
            return ExitCodes.InfrastructureFailure;
        }
        finally
        {
            cluster?.Dispose();
        }

        using (client)
        {
            var analyzer = new Analyzer(new PrometheusMetricsProvider(client), templates);
            var result = await analyzer.AnalyzeAsync(plan, time.GetUtcNow(), cancellationToken);
            if (request.Format == OutputFormat.Json)
            {
                AnalysisPrinter.WriteJson(console.Out, result, plan, address);
            }
            else
            {
                AnalysisPrinter.WriteText(console.Out, result, plan, address);
            }

            return result.Verdict switch
            {
                Verdict.Pass => ExitCodes.Success,
                Verdict.Error => ExitCodes.InfrastructureFailure,
                _ => ExitCodes.Failed,
            };
        }
    }

    private static Uri? Address(RolloutPlan plan, string? flag)
    {
        var text = flag ?? plan.Spec.Analysis.Prometheus.Address;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
    }

    private static int Refuse(CliConsole console, string message)
    {
        console.Error.WriteLine($"canarypilot: {message}");
        return ExitCodes.InvalidInput;
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");
}

/// <summary>What <c>analyze</c> was asked to do.</summary>
internal sealed record AnalyzeRequest(IReadOnlyList<string> Files, string? Prometheus, string? Kubeconfig, OutputFormat Format);
