using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Validation;

public sealed class PlanIstioChecksTests
{
    private static readonly string Examples = Path.Combine(Fixture.Repository, "deploy", "examples", "bookinfo");

    private static string WithoutNamespace(string file) =>
        File.ReadAllText(Path.Combine(Examples, file)).Replace("  namespace: bookinfo\n", "", StringComparison.Ordinal);

    [Fact]
    public void IstioFilesWithoutNamespace_AreReadAsInThePlansNamespace()
    {
        var text = string.Join("---\n", File.ReadAllText(Path.Combine(Examples, "rolloutplan-auto.yaml")),
            WithoutNamespace("reviews-virtualservice.yaml"), WithoutNamespace("reviews-destinationrule.yaml"));

        var report = PlanValidation.Validate(new InputLoader().LoadText("all.yaml", text), TemplateCatalog.BuiltIn());

        Assert.Empty(report.Diagnostics);
    }

    [Fact]
    public void SameFileNamedTwice_IsReadOnce()
    {
        var template = Path.Combine(Fixture.Repository, "analysis-templates", "istio-success-rate.yaml");
        var plan = Path.Combine(Examples, "rolloutplan-auto.yaml");

        var report = PlanValidation.Validate(new InputLoader().Load([plan, template, template, Path.GetDirectoryName(template)!]), TemplateCatalog.BuiltIn());

        Assert.Empty(report.Diagnostics);
    }

    [Fact]
    public void VirtualServiceInAnotherNamespace_IsNotTakenForThePlans()
    {
        var text = string.Join("---\n", File.ReadAllText(Path.Combine(Examples, "rolloutplan-auto.yaml")),
            File.ReadAllText(Path.Combine(Examples, "reviews-virtualservice.yaml")).Replace("namespace: bookinfo", "namespace: staging", StringComparison.Ordinal),
            File.ReadAllText(Path.Combine(Examples, "reviews-destinationrule.yaml")));

        var report = PlanValidation.Validate(new InputLoader().LoadText("all.yaml", text), TemplateCatalog.BuiltIn());

        Assert.Equal(
            ["all.yaml:12:15: spec.service.virtualServices[0].name: VirtualService bookinfo/reviews is not in the given files; there is one in namespace staging: set the namespace in spec.service.virtualServices or in the plan"],
            report.Diagnostics.Select(d => d.ToString()));
    }
}
