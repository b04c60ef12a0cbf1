using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Prometheus;

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
        var prometheus = CommonOptions.Prometheus();
        var kubeconfig = CommonOptions.SecretsKubeconfig();
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
        var (plan, invalid) = PlanPrometheus.LoadOne(request.Files, templates, "analyze evaluates one RolloutPlan", console);
        if (plan is null)
        {
            return invalid;
        }

        var (connection, unconnected) = await PlanPrometheus.ConnectAsync(plan, request.Prometheus, request.Kubeconfig, console, time, cancellationToken);
        if (connection is null)
        {
            return unconnected;
        }

        using var client = connection.Client;
        var analyzer = new Analyzer(new PrometheusMetricsProvider(client), templates);
        var result = await analyzer.AnalyzeAsync(plan, time.GetUtcNow(), cancellationToken);
        if (request.Format == OutputFormat.Json)
        {
            AnalysisPrinter.WriteJson(console.Out, result, plan, connection.Address);
        }
        else
        {
            AnalysisPrinter.WriteText(console.Out, result, plan, connection.Address);
        }

        return ExitCodes.Of(result.Verdict);
    }
}

/// <summary>What <c>analyze</c> was asked to do.</summary>
internal sealed record AnalyzeRequest(IReadOnlyList<string> Files, string? Prometheus, string? Kubeconfig, OutputFormat Format);
