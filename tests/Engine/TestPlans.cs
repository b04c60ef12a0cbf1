using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Testing.Engine;

/// <summary>bookinfo's reviews plan, read and validated as the CLI reads a file, with the parts a test varies.</summary>
public static class TestPlans
{
    public static RolloutPlan Reviews(string extra = "", string stages = "[{weight: 5}, {weight: 25}, {weight: 50}, {weight: 100}]", string analysis = "", string metrics = "[{name: success-rate, template: istio-success-rate, thresholds: {min: 99}}]")
    {
        var yaml = $$$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              service:
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews, subset: v1, workload: reviews-v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2}
              stages: {{{stages}}}
            {{{extra}}}
              analysis:
                interval: 1m
                failureLimit: 1
            {{{analysis}}}
                metrics: {{{metrics}}}
            """;
        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", yaml), TemplateCatalog.BuiltIn());
        Assert.Empty(report.Diagnostics);
        return Assert.Single(report.ValidPlans);
    }
}
