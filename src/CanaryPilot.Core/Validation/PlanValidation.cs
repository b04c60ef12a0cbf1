using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.GatewayApi;
using CanaryPilot.Core.Istio;
using CanaryPilot.Core.Istio.Lint;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

/// <summary>
/// Validates everything the user passed: each RolloutPlan's schema and logic, the AnalysisTemplates
/// it names, and — when Istio or Gateway API resources are among the inputs — the plan against them, with the
/// ambient-mode warnings for the routes a plan drives.
/// </summary>
public static class PlanValidation
{
    private static readonly string[] CanaryPilotKinds = [RolloutPlan.ResourceKind, AnalysisTemplate.ResourceKind];

    public static ValidationReport Validate(InputSet input, TemplateCatalog templates)
    {
        var diagnostics = new DiagnosticBag();
        diagnostics.AddRange(input.Diagnostics);
        diagnostics.AddRange(TypeMetaCheck.Check(input.Documents));

        var ours = input.Documents.Where(d => d.Group == RolloutPlan.ApiGroup).ToList();
        foreach (var unknown in ours.Where(d => d.Kind is { } kind && !CanaryPilotKinds.Contains(kind)))
        {
            diagnostics.Add(Diagnostic.Error(unknown.File, unknown.Root["kind"]!.Position, "kind",
                $"unknown kind \"{unknown.Kind}\" in {RolloutPlan.ApiGroup}{Suggestions.DidYouMean(unknown.Kind!, CanaryPilotKinds)}; expected {string.Join(" or ", CanaryPilotKinds)}"));
        }

        foreach (var template in ours.Where(d => d.Kind == AnalysisTemplate.ResourceKind))
        {
            diagnostics.AddRange(templates.Add(template));
        }

        var planDocuments = ours.Where(d => d.Kind == RolloutPlan.ResourceKind).ToList();
        if (planDocuments.Count == 0 && !diagnostics.HasErrors)
        {
            var file = input.Documents.Count > 0 ? input.Documents[0].File : "input";
            diagnostics.Add(Diagnostic.Error(file, null, null, $"no RolloutPlan ({RolloutPlan.CurrentApiVersion}) among the given files"));
        }

        var istio = input.Documents.Where(IstioKinds.IsIstio).ToList();
        var gatewayRoutes = input.Documents.Where(GatewayApiKinds.IsRoute).ToList();
        var valid = new List<RolloutPlan>();
        var ambientChecked = false;
        foreach (var document in planDocuments)
        {
            var bound = Bound.From<RolloutPlan>(document);
            diagnostics.AddRange(bound.Diagnostics);
            if (bound.Value is not { } plan)
            {
                continue;
            }

            var problems = new PlanValidator(plan, bound.Map, templates).Validate();
            if (problems.Count == 0 && plan.Spec.Service.Routing == RoutingKind.HttpRoute && gatewayRoutes.Count > 0)
            {
                var routes = gatewayRoutes.Select(d => new GatewayRouteView(d, plan.Namespace)).ToList();
                var virtualServices = istio.Where(d => d.Kind == IstioKinds.VirtualService).Select(d => new VirtualServiceView(d, plan.Namespace)).ToList();
                problems = new PlanHttpRouteChecks(plan, bound.Map, routes, virtualServices).Check();
                if (!ambientChecked)
                {
                    diagnostics.AddRange(AmbientWarnings(input));
                    ambientChecked = true;
                }
            }
            else if (problems.Count == 0 && istio.Count > 0)
            {
                // Istio files without a namespace are read as if applied to the plan's namespace.
                var virtualServices = istio.Where(d => d.Kind == IstioKinds.VirtualService).Select(d => new VirtualServiceView(d, plan.Namespace)).ToList();
                var destinationRules = istio.Where(d => d.Kind == IstioKinds.DestinationRule).Select(d => new DestinationRuleView(d, plan.Namespace)).ToList();
                problems = new PlanIstioChecks(plan, bound.Map, virtualServices, destinationRules).Check();
            }

            diagnostics.AddRange(problems);
            if (problems.Count == 0)
            {
                valid.Add(plan);
            }
        }

        return new ValidationReport(valid, diagnostics.Items);
    }

    /// <summary>Where routes given beside the plan will not split traffic in ambient mode, as <c>lint</c> finds it in the same files.</summary>
    private static IEnumerable<Diagnostic> AmbientWarnings(InputSet input) =>
        IstioLinter.Lint(input.Documents).Where(f => f.Code == LintRules.NoWaypoint.Code || f.Code == LintRules.IngressSkipsWaypoint.Code);
}
