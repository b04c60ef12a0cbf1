using CanaryPilot.Core.Plans;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>Rollout plans built in code, so that workload and namespace names can be anything at all.</summary>
internal static class Plans
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static RolloutPlan For(string ns, string canary, string stable, int minRequestVolume, params MetricSpec[] metrics) => new()
    {
        ApiVersion = RolloutPlan.CurrentApiVersion,
        Kind = RolloutPlan.ResourceKind,
        Metadata = new ObjectMeta { Name = "reviews", Namespace = ns },
        Spec = new RolloutPlanSpec
        {
            Service = new ServiceTarget
            {
                Name = "reviews",
                VirtualServices = [new VirtualServiceRef { Name = "reviews" }],
                Stable = new Destination { Host = "reviews", Subset = "v1", Workload = stable, Version = "v1" },
                Canary = new Destination { Host = "reviews", Subset = "v2", Workload = canary, Version = "v2" },
            },
            Stages = [new Stage { Weight = 100 }],
            Analysis = new AnalysisSpec
            {
                Interval = Window,
                MissingData = new MissingDataPolicy { MinRequestVolume = minRequestVolume },
                Prometheus = new PrometheusSpec { ScrapeInterval = TimeSpan.FromSeconds(1) },
                Metrics = metrics,
            },
        },
    };

    public static MetricSpec Metric(string template, double? max = null, StableComparison? compare = null) => new()
    {
        Name = template,
        Template = template,
        Thresholds = new ValueRange { Max = max ?? double.MaxValue },
        CompareToStable = compare,
    };
}
