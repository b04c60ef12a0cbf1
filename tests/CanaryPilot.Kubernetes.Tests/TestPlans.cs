using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Kubernetes.Tests;

/// <summary>Plans for tests, read and validated exactly as the CLI reads them.</summary>
internal static class TestPlans
{
    public static RolloutPlan Parse(string yaml)
    {
        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", yaml), TemplateCatalog.BuiltIn());
        Assert.Empty(report.Diagnostics);
        return Assert.Single(report.ValidPlans);
    }

    private const string SubsetLevel = """
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
        """;

    /// <summary>A plan for bookinfo reviews; <paramref name="service"/> (indented four spaces) replaces the subset-level v1 → v2 service block.</summary>
    public static RolloutPlan Reviews(string? service = null, string name = "reviews") => Parse(
        "apiVersion: canarypilot.io/v1alpha1\n" +
        "kind: RolloutPlan\n" +
        $"metadata: {{name: {name}, namespace: bookinfo}}\n" +
        "spec:\n" +
        "  service:\n" +
        (service ?? SubsetLevel) + "\n" +
        "  stages: [{weight: 10}, {weight: 50}, {weight: 100}]\n" +
        "  analysis:\n" +
        "    metrics: [{name: success-rate, template: istio-success-rate, thresholds: {min: 99}}]\n");
}
