using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Commands;

/// <summary><c>canarypilot validate -f PLAN [-f ISTIO_FILE_OR_DIR ...]</c>: schema and logic of rollout plans.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliConsole console) => CommonOptions.FileCommand(
        "validate",
        "Check rollout plans for schema and logic errors before anything touches a cluster. Exit 0 valid, 2 invalid.",
        "A RolloutPlan file, AnalysisTemplates, or Istio resources (files or directories) to check the plan against. Repeatable.",
        (files, format) => Run(files, format, console));

    public static int Run(IReadOnlyList<string> files, OutputFormat format, CliConsole console)
    {
        var input = new InputLoader().Load(files);
        var report = PlanValidation.Validate(input, TemplateCatalog.BuiltIn());
        if (format == OutputFormat.Json)
        {
            DiagnosticPrinter.WriteJson(console.Out, report.Diagnostics, report.IsValid);
        }
        else
        {
            DiagnosticPrinter.WriteText(console.Error, report.Diagnostics);
            foreach (var plan in report.IsValid ? report.ValidPlans : [])
            {
                console.Out.WriteLine($"RolloutPlan {plan.Namespace}/{plan.Metadata.Name} is valid: {Describe(plan)}");
            }
        }

        return report.IsValid ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    private static string Describe(RolloutPlan plan)
    {
        var stages = plan.Spec.EffectiveStages().Select(s => s.Kind switch
        {
            StageKind.Canary => $"{s.Weight}%",
            StageKind.Mirror => $"mirror {s.MirrorPercentage}%",
            StageKind.ABTest => "A/B",
            StageKind.Resilience => $"resilience {s.Weight}% (faults on {string.Join(", ", s.Faults.Select(f => f.Host))})",
            _ => "blue/green switch",
        });
        var metrics = plan.Spec.Analysis.Metrics.Count;
        return $"{string.Join(" -> ", stages)}, {metrics} {(metrics == 1 ? "metric" : "metrics")} every {Core.Common.Duration.Format(plan.Spec.Analysis.Interval)}";
    }
}
