using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// Workload and namespace names made of PromQL's special characters (<c>"</c>, <c>}</c>, <c>\</c>,
/// <c>|</c>, <c>.*</c>) select exactly the series that carry that name — no more, no less — in equality
/// and in regex matchers alike. Each crafted workload serves its own request rate, so the measured
/// volume says which series the query really selected.
/// </summary>
[Collection(RealPrometheusGroup.Name)]
public sealed class EscapingTests(RealPrometheusFixture prometheus)
{
    private const string RegexTemplate = """
        apiVersion: canarypilot.io/v1alpha1
        kind: AnalysisTemplate
        metadata:
          name: volume-by-pattern
        spec:
          query: sum(increase(istio_requests_total{reporter="destination", destination_workload_namespace=~"{{ namespace }}", destination_workload=~'{{ workload }}'}[{{ interval }}]))
        """;

    public static TheoryData<string, double> CraftedWorkloads()
    {
        var data = new TheoryData<string, double>();
        for (var i = 0; i < RealPrometheusFixture.CraftedNames.Length; i++)
        {
            data.Add(RealPrometheusFixture.CraftedNames[i], (3 + i) * 10);   // (3 + i) req/s over 10s
        }

        return data;
    }

    private async Task<MetricVerdict> VolumeAsync(string ns, string workload, TemplateCatalog templates, string template)
    {
        var plan = Plans.For(ns, workload, "reviews-v1", 0, Plans.Metric(template));
        var result = await new Analyzer(prometheus.Provider, templates).AnalyzeAsync(plan, prometheus.Settled, CancellationToken.None);
        return Assert.Single(result.Metrics);
    }

    [Theory]
    [MemberData(nameof(CraftedWorkloads))]
    public async Task CraftedWorkloadName_InEqualityMatcher_SelectsOnlyItsOwnSeries(string workload, double requests)
    {
        var verdict = await VolumeAsync(RealPrometheusFixture.Namespace, workload, TemplateCatalog.BuiltIn(), "istio-request-volume");

        Assert.True(verdict.Verdict == Verdict.Pass, verdict.Reason);
        Assert.InRange(verdict.Value!.Value, requests * 0.99, requests * 1.01);
    }

    [Theory]
    [MemberData(nameof(CraftedWorkloads))]
    public async Task CraftedWorkloadName_InRegexMatcher_MatchesLiterallyNotAsAPattern(string workload, double requests)
    {
        var templates = TemplateCatalog.BuiltIn();
        Assert.Empty(templates.Add(new InputLoader().LoadText("volume-by-pattern.yaml", RegexTemplate).Documents[0]));

        var verdict = await VolumeAsync(RealPrometheusFixture.Namespace, workload, templates, "volume-by-pattern");

        Assert.True(verdict.Verdict == Verdict.Pass, verdict.Reason);
        Assert.InRange(verdict.Value!.Value, requests * 0.99, requests * 1.01);
    }

    [Fact]
    public async Task CraftedNamespace_SelectsOnlyThatNamespace()
    {
        var verdict = await VolumeAsync(RealPrometheusFixture.CraftedNamespace, "reviews-v2", TemplateCatalog.BuiltIn(), "istio-request-volume");

        // 9 req/s in the crafted namespace; reviews-v2 in "shop" serves 10 more, which must not be added.
        Assert.InRange(verdict.Value!.Value, 89, 91);
    }

    [Fact]
    public async Task Decoys_AreThere_SoThePatternTestsCouldFail()
    {
        var any = await prometheus.Provider.MeasureAsync(
            """sum(increase(istio_requests_total{reporter="destination", destination_workload=~"x|y"}[10s]))""", prometheus.Settled, CancellationToken.None);

        Assert.InRange(Assert.Single(any.Samples).Value, 29.7, 30.3);   // x at 1 req/s and y at 2 req/s
    }
}
