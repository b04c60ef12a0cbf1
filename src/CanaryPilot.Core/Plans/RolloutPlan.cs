using CanaryPilot.Core.Binding;

namespace CanaryPilot.Core.Plans;

/// <summary>
/// <c>canarypilot.io/v1alpha1</c> <c>RolloutPlan</c>: how one service moves from its stable
/// version to a canary. The same document is a Kubernetes custom resource and a file the CLI reads.
/// </summary>
[IgnoreFields("status")]
public sealed record RolloutPlan
{
    public const string ApiGroup = "canarypilot.io";
    public const string CurrentApiVersion = "canarypilot.io/v1alpha1";
    public const string ResourceKind = "RolloutPlan";

    /// <summary>Always <c>canarypilot.io/v1alpha1</c>.</summary>
    public required string ApiVersion { get; init; }

    /// <summary>Always <c>RolloutPlan</c>.</summary>
    public required string Kind { get; init; }

    public required ObjectMeta Metadata { get; init; }

    public required RolloutPlanSpec Spec { get; init; }

    /// <summary>The namespace everything in the plan lives in.</summary>
    public string Namespace => Spec.Service.Namespace ?? Metadata.Namespace ?? "default";

    /// <summary>The plan as stage <paramref name="stage"/> is judged: its analysis is <see cref="RolloutPlanSpec.AnalysisAt"/>.</summary>
    public RolloutPlan JudgedAt(int? stage) =>
        Spec.AnalysisAt(stage) is var analysis && ReferenceEquals(analysis, Spec.Analysis) ? this : this with { Spec = Spec with { Analysis = analysis } };
}
