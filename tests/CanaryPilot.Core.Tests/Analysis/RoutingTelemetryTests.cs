using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Analysis;

/// <summary>Which telemetry a plan reads: the sidecars' for VirtualServices, the waypoint's for HTTPRoutes, unless the user says otherwise.</summary>
public sealed class RoutingTelemetryTests
{
    private const string Template = """
        ---
        apiVersion: canarypilot.io/v1alpha1
        kind: AnalysisTemplate
        metadata: {name: istio-success-rate}
        spec:
          query: sum(rate(my_requests_total{app="{{ backend }}"}[{{ interval }}]))
        """;

    private static (RolloutPlan Plan, TemplateCatalog Templates) HttpRoutePlan(string extra = "")
    {
        var yaml = $$$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: reviews, namespace: bookinfo}
            spec:
              service:
                name: reviews
                httpRoutes: [{name: reviews}]
                stable: {host: reviews-v1, port: 9080, workload: reviews-v1}
                canary: {host: reviews-v2, port: 9080, workload: reviews-v2}
              stages: [{weight: 50}, {weight: 100}]
              analysis:
                metrics: [{name: success-rate, template: istio-success-rate, thresholds: {min: 99}, compareToStable: {maxDecrease: 1}}]
            {{{extra}}}
            """;
        var templates = TemplateCatalog.BuiltIn();
        var report = PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", yaml), templates);
        Assert.Empty(report.Diagnostics);
        return (Assert.Single(report.ValidPlans), templates);
    }

    [Fact]
    public void HttpRoutePlan_ReadsTheWaypointsTelemetry_ByEachVersionsService()
    {
        var (plan, templates) = HttpRoutePlan();

        var (queries, problems) = MetricQueries.Render(plan, plan.Spec.Analysis.Metrics[0], templates);

        Assert.Empty(problems);
        Assert.Equal("istio-waypoint-success-rate", templates.Resolve("istio-success-rate", plan));
        Assert.Contains("reporter=\"waypoint\", destination_service_namespace=\"bookinfo\", destination_service_name=\"reviews-v2\"", queries!.Canary, StringComparison.Ordinal);
        Assert.Contains("destination_service_name=\"reviews-v1\"", queries.Stable, StringComparison.Ordinal);
        Assert.DoesNotContain("destination_workload", queries.Canary, StringComparison.Ordinal);
        Assert.Contains("reporter=\"waypoint\"", queries.RequestVolume, StringComparison.Ordinal);
    }

    [Fact]
    public void VirtualServicePlan_ReadsTheSidecarsTelemetry()
    {
        var plan = Testing.Engine.TestPlans.Reviews();

        Assert.Equal("istio-success-rate", TemplateCatalog.BuiltIn().Resolve("istio-success-rate", plan));
    }

    [Fact]
    public void ATemplateTheUserSupplies_IsTakenAsWritten_OnAnyRouter()
    {
        var templates = TemplateCatalog.BuiltIn();
        var (plan, _) = HttpRoutePlan();
        Assert.Empty(templates.Add(new InputLoader().LoadText("template.yaml", Template).Documents[0]));

        Assert.Equal("istio-success-rate", templates.Resolve("istio-success-rate", plan));
        Assert.Equal("istio-waypoint-request-duration-p99", templates.Resolve("istio-request-duration-p99", plan));
        Assert.Equal("istio-request-volume", templates.Resolve("istio-request-volume", Testing.Engine.TestPlans.Reviews()));
    }
}
