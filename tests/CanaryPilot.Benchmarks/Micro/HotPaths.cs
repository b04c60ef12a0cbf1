using BenchmarkDotNet.Attributes;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Benchmarks.Micro;

/// <summary>The paths every rollout runs through on every interval or every plan change.</summary>
[MemoryDiagnoser]
public class HotPaths
{
    private string _planText = "";
    private RolloutPlan _plan = null!;
    private TemplateCatalog _templates = null!;
    private MetricSpec _metric = null!;
    private MetricMeasurements _measured = null!;

    [GlobalSetup]
    public void Setup()
    {
        _planText = File.ReadAllText(Repository.Path("deploy", "examples", "bookinfo", "rolloutplan-auto.yaml"));
        _templates = TemplateCatalog.BuiltIn();
        _plan = PlanValidation.Validate(new InputLoader().LoadText("rolloutplan-auto.yaml", _planText), _templates).ValidPlans.Single();
        _metric = _plan.Spec.Analysis.Metrics.First(m => m.CompareToStable is not null);
        _measured = new MetricMeasurements(
            Measurement.Of("canary", [Sample.Scalar(212.5)]),
            Measurement.Of("stable", [Sample.Scalar(198.0)]),
            Measurement.Of("volume", [Sample.Scalar(1200)]));
    }

    /// <summary>Reading and validating a plan, as <c>validate</c>, <c>run</c> and the controller do on every change.</summary>
    [Benchmark]
    public int ParseAndValidatePlan() => PlanValidation.Validate(new InputLoader().LoadText("rolloutplan-auto.yaml", _planText), _templates).ValidPlans.Count;

    /// <summary>Rendering every query of the plan's metrics (canary, stable, request volume), as each analysis does.</summary>
    [Benchmark]
    public int RenderQueries()
    {
        var count = 0;
        foreach (var metric in _plan.Spec.Analysis.Metrics)
        {
            count += MetricQueries.Render(_plan, metric, _templates).Queries!.All.Count();
        }

        return count;
    }

    /// <summary>Judging one metric against its thresholds and the stable's value.</summary>
    [Benchmark]
    public Verdict JudgeMetric() => MetricJudge.Judge(_metric, _measured, 50, TimeSpan.FromMinutes(1)).Verdict;
}
