using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Istio.Lint;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Validation;

public sealed class ValidExamplesTests
{
    private static readonly string Repository = Fixture.Repository;

    public static TheoryData<string> SeedExamples() =>
        [.. Directory.EnumerateFiles(Fixture.Path("seed"), "*.yaml").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedExample_LintsWithoutAnyFinding(string name)
    {
        var input = new InputLoader().Load([Fixture.Path("seed", name)]);

        Assert.Empty(input.Diagnostics);
        Assert.Single(input.Documents);
        Assert.Empty(IstioLinter.Lint(input.Documents));
    }

    [Theory]
    [MemberData(nameof(SeedExamples))]
    public void SeedVirtualService_LintsCleanBesideTheSeedDestinationRule(string name)
    {
        var input = new InputLoader().Load([Fixture.Path("seed", name), Fixture.Path("seed", "destination-rule.yaml")]);

        Assert.Empty(IstioLinter.Lint(input.Documents));
    }

    [Fact]
    public void BookinfoExamples_ValidateTogetherWithTheirIstioResources()
    {
        var input = new InputLoader().Load([Path.Combine(Repository, "deploy", "examples", "bookinfo")]);

        var report = PlanValidation.Validate(input, TemplateCatalog.BuiltIn());

        Assert.Empty(report.Diagnostics);
        Assert.Equal(["reviews", "reviews-guarded", "reviews-resilience", "reviews-sequential"], report.ValidPlans.Select(p => p.Metadata.Name));
    }

    [Fact]
    public void BookinfoAmbientExample_ValidatesAndLintsWithoutAnyFinding()
    {
        var input = new InputLoader().Load([Path.Combine(Repository, "deploy", "examples", "bookinfo-ambient")]);

        var report = PlanValidation.Validate(input, TemplateCatalog.BuiltIn());

        Assert.Empty(report.Diagnostics);
        Assert.Empty(IstioLinter.Lint(input.Documents));
        var plan = Assert.Single(report.ValidPlans);
        Assert.Equal(RoutingKind.HttpRoute, plan.Spec.Service.Routing);
        Assert.Equal(("reviews-v1", "reviews-v2"), (plan.Spec.Service.Stable.Host, plan.Spec.Service.Canary.Host));
    }

    [Fact]
    public void BookinfoAutomaticPlan_MovesFromV1ToV2WithoutApproval()
    {
        var input = new InputLoader().Load([Path.Combine(Repository, "deploy", "examples", "bookinfo", "rolloutplan-auto.yaml")]);

        var plan = Assert.Single(PlanValidation.Validate(input, TemplateCatalog.BuiltIn()).ValidPlans);

        Assert.Equal(("v1", "v2"), (plan.Spec.Service.Stable.Subset, plan.Spec.Service.Canary.Subset));
        Assert.Equal([5, 25, 50, 100], plan.Spec.Stages.Select(s => s.CanaryWeight));
        Assert.DoesNotContain(plan.Spec.Stages, s => s.Approval == Approval.Required);
        Assert.Equal(Approval.None, plan.Spec.Promotion.Approval);
    }

    [Fact]
    public void BookinfoGuardedPlan_ShowsApprovalABTestAndMirroring()
    {
        var input = new InputLoader().Load([Path.Combine(Repository, "deploy", "examples", "bookinfo", "rolloutplan-guarded.yaml")]);

        var plan = Assert.Single(PlanValidation.Validate(input, TemplateCatalog.BuiltIn()).ValidPlans);

        Assert.Equal([StageKind.Mirror, StageKind.ABTest, StageKind.Canary, StageKind.Canary], plan.Spec.Stages.Select(s => s.Kind));
        Assert.Equal(Approval.Required, plan.Spec.Stages[1].Approval);
        Assert.Equal("beta", plan.Spec.Stages[1].Match[0].Headers["x-user-group"].Exact);
    }

    [Fact]
    public void ShippedTemplates_LoadAndDeclareNoUnknownVariables()
    {
        var catalog = TemplateCatalog.BuiltIn();

        Assert.Equal(
            [
                "istio-error-rate-5xx", "istio-latency-above", "istio-request-duration-p50", "istio-request-duration-p95", "istio-request-duration-p99", "istio-request-volume", "istio-success-rate",
                "istio-waypoint-error-rate-5xx", "istio-waypoint-latency-above", "istio-waypoint-request-duration-p50", "istio-waypoint-request-duration-p95",
                "istio-waypoint-request-duration-p99", "istio-waypoint-request-volume", "istio-waypoint-success-rate",
            ],
            catalog.Names.Order(StringComparer.Ordinal));
    }
}
