namespace CanaryPilot.Core.Plans;

public sealed record RolloutPlanSpec
{
    /// <summary>The service being rolled out: its VirtualServices and its stable and canary destinations.</summary>
    public required ServiceTarget Service { get; init; }

    /// <summary>The stages traffic moves through, in order. Either this or <see cref="StepWeights"/>.</summary>
    public IReadOnlyList<Stage> Stages { get; init; } = [];

    /// <summary>Evenly spaced canary stages (step, 2×step, … up to max), instead of listing <see cref="Stages"/>.</summary>
    public StepWeights? StepWeights { get; init; }

    /// <summary>How the canary's (and, for capacity, the stable's) workload is checked before traffic moves to it.</summary>
    public ReadinessSpec Readiness { get; init; } = new();

    /// <summary>Sticky canary sessions at the weighted stages: a user who reached the canary once stays on it; off unless set.</summary>
    public SessionAffinity? SessionAffinity { get; init; }

    /// <summary>What happens once the last stage has passed.</summary>
    public Promotion Promotion { get; init; } = new();

    /// <summary>The metrics that must hold, how often they are checked and how failures count.</summary>
    public required AnalysisSpec Analysis { get; init; }

    /// <summary>
    /// What to do when the live weights differ from those CanaryPilot set (someone, or a GitOps tool,
    /// edited the VirtualService): <c>reapply</c> CanaryPilot's weights, or <c>pause</c> the rollout for a person.
    /// </summary>
    public DriftPolicy OnDrift { get; init; } = DriftPolicy.Reapply;

    /// <summary>
    /// When the plan is deleted while its rollout is under way: <c>leave</c> the mesh as it is (the
    /// default), or <c>restoreStable</c>, all traffic back to stable and CanaryPilot's routes removed.
    /// </summary>
    public DeletionPolicy OnDelete { get; init; } = DeletionPolicy.Leave;

    /// <summary>Who is told about the rollout: Slack channels and webhooks.</summary>
    public IReadOnlyList<NotificationSpec> Notifications { get; init; } = [];

    /// <summary>Webhooks that must answer yes before the rollout starts, moves more traffic or promotes.</summary>
    public IReadOnlyList<GateSpec> Gates { get; init; } = [];

    /// <summary>The stages the rollout goes through: <see cref="Stages"/>, or those <see cref="StepWeights"/> generates.</summary>
    public IReadOnlyList<Stage> EffectiveStages()
    {
        if (StepWeights is not { Step: > 0 } steps)
        {
            // A resilience stage without a weight keeps the one before it.
            return Stages.Any(s => s is { Kind: StageKind.Resilience, Weight: null }) ? WithResilienceWeights() : Stages;
        }

        var stages = new List<Stage>();
        for (var weight = steps.Step; ; weight += steps.Step)
        {
            var capped = Math.Min(weight, steps.Max);
            stages.Add(new Stage { Weight = capped, MinDuration = steps.MinDuration, Iterations = steps.Iterations });
            if (capped >= steps.Max)
            {
                return stages;
            }
        }
    }

    private List<Stage> WithResilienceWeights()
    {
        var stages = new List<Stage>(Stages.Count);
        var weight = 0;
        foreach (var stage in Stages)
        {
            var effective = stage is { Kind: StageKind.Resilience, Weight: null } && weight > 0 ? stage with { Weight = weight } : stage;
            weight = effective.Kind is StageKind.Canary or StageKind.Resilience or StageKind.BlueGreen ? effective.CanaryWeight : weight;
            stages.Add(effective);
        }

        return stages;
    }

    /// <summary>
    /// The analysis as a stage judges it: at a <c>resilience</c> stage, each metric by its thresholds (the stage's, in
    /// place of its own) and critical range alone, without comparing to the stable, which sees no faults; a metric with
    /// neither is not judged there. Any other stage judges the plan's analysis as it is.
    /// </summary>
    public AnalysisSpec AnalysisAt(int? stage)
    {
        var stages = EffectiveStages();
        if (stage is not { } index || index >= stages.Count || stages[index] is not { Kind: StageKind.Resilience } resilience)
        {
            return Analysis;
        }

        var metrics = Analysis.Metrics
            .Select(m => resilience.Thresholds.FirstOrDefault(t => t.Metric == m.Name) is { } own
                ? m with { Thresholds = new ValueRange { Min = own.Min, Max = own.Max }, CompareToStable = null }
                : m with { CompareToStable = null })
            .Where(m => m.Thresholds is not null || m.Critical is not null)
            .ToList();
        return Analysis with { Metrics = metrics };
    }
}
