using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Import;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot import -f FILE_OR_DIR ... [--output-dir DIR]</c>: Flagger Canaries and Argo Rollouts Rollouts, with
/// their metric templates, as RolloutPlans and AnalysisTemplates that pass <c>validate</c>.
/// </summary>
internal static class ImportCommand
{
    public static Command Create(CliConsole console)
    {
        var files = CommonOptions.Files("Flagger Canaries, MetricTemplates and AlertProviders; Argo Rollouts Rollouts, AnalysisTemplates and ClusterAnalysisTemplates; the VirtualServices and DestinationRules they name. Files or directories, repeatable.");
        var outputDir = new Option<string?>("--output-dir") { Description = "Write each document to its own file in this directory (created when missing) instead of standard output.", HelpName = "DIR" };
        var command = new Command("import", "Turn Flagger and Argo Rollouts resources into RolloutPlans and AnalysisTemplates. Each field not carried over gets a line saying why. Exit 0 all mapped, 1 some fields not carried over, 2 invalid input.")
        {
            files,
            outputDir,
        };
        command.SetAction(result => Run(result.GetValue(files)!, result.GetValue(outputDir), console));
        return command;
    }

    public static int Run(IReadOnlyList<string> files, string? outputDir, CliConsole console)
    {
        var result = Importer.Import(new InputLoader().Load(files));
        if (result.IsInvalid)
        {
            DiagnosticPrinter.WriteText(console.Error, result.Errors);
            return ExitCodes.InvalidInput;
        }

        if (Invalid(result.Documents) is { } problem)
        {
            console.Error.WriteLine(problem);
            return ExitCodes.InvalidInput;
        }

        DiagnosticPrinter.WriteText(console.Error, result.NotCarriedOver);
        if (outputDir is null)
        {
            for (var i = 0; i < result.Documents.Count; i++)
            {
                var document = result.Documents[i];
                console.Out.Write($"{(i == 0 ? "" : "---\n")}# {document.Kind} {document.Name}, imported from {document.FromFile}\n{document.Document.ToYaml()}");
            }
        }
        else
        {
            try
            {
                Directory.CreateDirectory(outputDir);
                foreach (var document in result.Documents)
                {
                    var path = Path.Combine(outputDir, document.FileName);
                    File.WriteAllText(path, $"# {document.Kind} {document.Name}, imported from {document.FromFile}\n{document.Document.ToYaml()}");
                    console.Out.WriteLine($"wrote {path}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                console.Error.WriteLine($"canarypilot import: cannot write to {outputDir}: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        }

        var plans = result.Documents.Count(d => d.Kind == "RolloutPlan");
        var templates = result.Documents.Count - plans;
        console.Error.WriteLine($"imported {plans} {(plans == 1 ? "RolloutPlan" : "RolloutPlans")} and {templates} {(templates == 1 ? "AnalysisTemplate" : "AnalysisTemplates")}; {result.NotCarriedOver.Count} {(result.NotCarriedOver.Count == 1 ? "field" : "fields")} not carried over");
        return result.NotCarriedOver.Count == 0 ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>
    /// What <c>validate</c> would say of the written documents, when it would refuse them: the import cannot stand
    /// behind a plan that does not validate, so it writes nothing.
    /// </summary>
    private static string? Invalid(IReadOnlyList<ImportedDocument> documents)
    {
        var text = string.Join("---\n", documents.Select(d => d.Document.ToYaml()));
        var report = PlanValidation.Validate(new InputLoader().LoadText("imported", text), TemplateCatalog.BuiltIn());
        var error = report.Diagnostics.FirstOrDefault(d => d.Severity == Core.Diagnostics.Severity.Error);
        return error is null ? null : $"canarypilot import: the imported documents do not validate, so nothing was written: {error.Path}: {error.Message}";
    }
}
