using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Istio.Lint;

namespace CanaryPilot.Commands;

/// <summary><c>canarypilot lint -f FILE_OR_DIR ...</c>: logical errors in Istio traffic resources, offline.</summary>
internal static class LintCommand
{
    public static Command Create(CliConsole console) => CommonOptions.FileCommand(
        "lint",
        "Find logical errors in Istio VirtualServices, DestinationRules, Gateways and ServiceEntries, in Gateway API HTTPRoutes, GRPCRoutes and Gateways, and where ambient mode will not apply a route. Exit 0 when no error-level finding, 2 otherwise.",
        "Files or directories of Istio and Gateway API resources, with the Namespaces and Services they name. Repeatable.",
        (files, format) => Run(files, format, console));

    public static int Run(IReadOnlyList<string> files, OutputFormat format, CliConsole console)
    {
        var input = new InputLoader().Load(files);
        var findings = IstioLinter.Lint(input);
        var clean = !findings.Any(f => f.Severity == Severity.Error);
        if (format == OutputFormat.Json)
        {
            DiagnosticPrinter.WriteJson(console.Out, findings, clean);
        }
        else
        {
            DiagnosticPrinter.WriteText(console.Out, findings);
            var resources = input.Documents.Count;
            console.Out.WriteLine($"{resources} {(resources == 1 ? "resource" : "resources")} checked: {DiagnosticPrinter.Summary(findings)}");
        }

        return clean ? ExitCodes.Success : ExitCodes.InvalidInput;
    }
}
