using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Plans;

public sealed class PlanBindingTests
{
    private const string Plan = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata:
          name: reviews
          namespace: bookinfo
          uid: 0b0c6a4e-55c5-4c3e-a1f2-6a3d3f2b9f11
          resourceVersion: "48213"
          generation: 3
          creationTimestamp: "2026-11-01T10:00:00Z"
          managedFields: [{manager: kubectl, operation: Apply}]
        spec:
          service:
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2}
          stepWeights: {step: 30, minDuration: 90s}
          analysis:
            interval: 30s
            metrics:
              - name: success-rate
                template: istio-success-rate
                thresholds: {min: 99}
        status:
          phase: Progressing
          stage: 1
        """;

    private static RolloutPlan Valid(string text)
    {
        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", text), TemplateCatalog.BuiltIn());
        Assert.Empty(report.Diagnostics);
        return Assert.Single(report.ValidPlans);
    }

    [Fact]
    public void Bind_ResourceReadBackFromTheCluster_IgnoresServerFieldsAndStatus()
    {
        var plan = Valid(Plan);

        Assert.Equal(("reviews", "bookinfo"), (plan.Metadata.Name, plan.Namespace));
    }

    [Fact]
    public void StepWeights_GenerateEvenStagesEndingAtTheMaximum()
    {
        var stages = Valid(Plan).Spec.EffectiveStages();

        Assert.Equal([30, 60, 90, 100], stages.Select(s => s.CanaryWeight));
        Assert.All(stages, s => Assert.Equal(TimeSpan.FromSeconds(90), s.MinDuration));
    }

    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        var analysis = Valid(Plan).Spec.Analysis;

        Assert.Equal(
            (2, FailureCounting.Consecutive, 20, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(15), (TimeSpan?)null),
            (analysis.FailureLimit, analysis.FailureCounting, analysis.MissingData.MinRequestVolume, analysis.MissingData.MaxDuration, analysis.Prometheus.ScrapeInterval, analysis.ProgressDeadline));
    }

    [Fact]
    public void Json_BindsLikeYaml()
    {
        const string json = """
            {"apiVersion": "canarypilot.io/v1alpha1", "kind": "RolloutPlan",
             "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {
               "service": {"name": "reviews", "virtualServices": [{"name": "reviews"}],
                           "stable": {"host": "reviews", "subset": "v1", "workload": "reviews-v1"},
                           "canary": {"host": "reviews", "subset": "v2", "workload": "reviews-v2"}},
               "stages": [{"weight": 10, "minDuration": "1m"}, {"weight": 100}],
               "analysis": {"metrics": [{"name": "p99", "template": "istio-request-duration-p99", "thresholds": {"max": 250.5}}]}}}
            """;

        var plan = Valid(json);

        Assert.Equal(250.5, plan.Spec.Analysis.Metrics[0].Thresholds!.Max);
        Assert.Equal(TimeSpan.FromMinutes(1), plan.Spec.Stages[0].MinDuration);
    }

    [Fact]
    public void Bind_SeveralProblems_ReportsEachOnce()
    {
        var text = Plan.Replace("interval: 30s", "interval: 30 seconds", StringComparison.Ordinal)
            .Replace("step: 30", "step: thirty", StringComparison.Ordinal);

        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", text), TemplateCatalog.BuiltIn());

        Assert.Equal(
            [
                "plan.yaml:17:23: spec.stepWeights.step: expected an integer, found thirty",
                "plan.yaml:19:15: spec.analysis.interval: invalid duration 30 seconds: use a number and a unit, like 500ms, 30s, 1m30s or 2h",
            ],
            report.Diagnostics.Select(d => d.ToString()));
    }
}
