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
            return Stages;
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
}
