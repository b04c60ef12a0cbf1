using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Notifications;

/// <summary>
/// A rollout as notifiers and gates describe it to the outside: which service, where it stands,
/// the weights and the last measurements. Built from the plan and the persisted status; it holds
/// no secret, so it may be sent anywhere.
/// </summary>
public sealed record RolloutSnapshot
{
    public required string Rollout { get; init; }

    public required string Namespace { get; init; }

    public required string Service { get; init; }

    public required RolloutPhase Phase { get; init; }

    /// <summary>Index of the current stage in the plan's stages, as in the status; null before the first.</summary>
    public int? Stage { get; init; }

    public string? StageName { get; init; }

    public int StageCount { get; init; }

    public int CanaryWeight { get; init; }

    public int StableWeight { get; init; }

    /// <summary>What is rolled out: the canary destination.</summary>
    public required string Canary { get; init; }

    /// <summary>Where traffic goes back to: the stable destination.</summary>
    public required string Stable { get; init; }

    public int Attempt { get; init; }

    public IReadOnlyList<MetricStatus> Metrics { get; init; } = [];

    /// <summary>Why the rollout is rolling back or was rolled back.</summary>
    public RollbackCause? Cause { get; init; }

    /// <summary>The status's last decision, in a sentence.</summary>
    public string? Status { get; init; }

    public static RolloutSnapshot Of(RolloutPlan plan, RolloutStatus status) => new()
    {
        Rollout = plan.Metadata.Name,
        Namespace = plan.Namespace,
        Service = plan.Spec.Service.Name,
        Phase = status.Phase,
        Stage = status.Stage,
        StageName = status.StageName,
        StageCount = plan.Spec.EffectiveStages().Count,
        CanaryWeight = status.CanaryWeight,
        StableWeight = status.StableWeight,
        Canary = plan.Spec.Service.Canary.ToString(),
        Stable = plan.Spec.Service.Stable.ToString(),
        Attempt = status.Attempt,
        Metrics = status.Metrics,
        Cause = status.Cause,
        Status = status.Message,
    };
}
