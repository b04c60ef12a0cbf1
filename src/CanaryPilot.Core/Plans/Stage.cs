namespace CanaryPilot.Core.Plans;

/// <summary>One step of the rollout. The analysis runs during every stage.</summary>
public sealed record Stage
{
    /// <summary>A name shown in status and messages; defaults to a description of the stage.</summary>
    public string? Name { get; init; }

    /// <summary>What the stage does with traffic; <c>canary</c> unless said otherwise.</summary>
    public StageKind Kind { get; init; } = StageKind.Canary;

    /// <summary>
    /// Percentage of traffic (1–100) the canary receives. For <c>canary</c> stages, and <c>resilience</c> stages, where it
    /// defaults to the weight of the stage before.
    /// </summary>
    public int? Weight { get; init; }

    /// <summary>Percentage (0–100, exclusive of 0) of stable traffic copied to the canary. Only for <c>mirror</c> stages.</summary>
    public double? MirrorPercentage { get; init; }

    /// <summary>Requests sent to the canary; any one match suffices. Only for <c>abTest</c> stages.</summary>
    public IReadOnlyList<RequestMatch> Match { get; init; } = [];

    /// <summary>The faults injected into the canary's calls to its dependencies. Only for <c>resilience</c> stages.</summary>
    public IReadOnlyList<DependencyFault> Faults { get; init; } = [];

    /// <summary>
    /// The labels of the canary's pods, which the fault routes match (Istio's <c>sourceLabels</c>); the canary subset's
    /// labels in its DestinationRule unless set. Only for <c>resilience</c> stages.
    /// </summary>
    public IReadOnlyDictionary<string, string> SourceLabels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Ranges for this stage in place of the metrics' own <c>thresholds</c>. Only for <c>resilience</c> stages, which
    /// judge metrics by their thresholds and critical ranges alone: the stable does not see the faults, so it is no
    /// measure for the canary then.
    /// </summary>
    public IReadOnlyList<StageThreshold> Thresholds { get; init; } = [];

    /// <summary>
    /// The stage lasts at least this long, and its analysis must pass throughout. With neither this
    /// nor <see cref="Iterations"/>, a stage lasts one analysis interval.
    /// </summary>
    public TimeSpan? MinDuration { get; init; }

    /// <summary>The stage lasts at least this many analysis intervals, and each must pass.</summary>
    public int? Iterations { get; init; }

    /// <summary>
    /// <c>onPass</c> (the default): the stage moves on when its analysis passes. <c>unlessWorse</c>: also while the
    /// sequential judge is undecided, so that an early, small stage does not wait for evidence its share of
    /// traffic is slow to give; the later stages gather it. Not for the last stage.
    /// </summary>
    public StageAdvance Advance { get; init; } = StageAdvance.OnPass;

    /// <summary><c>required</c>: after its analysis passes, the stage waits for a person to approve.</summary>
    public Approval Approval { get; init; } = Approval.None;

    /// <summary>The canary weight in effect during this stage.</summary>
    public int CanaryWeight => Kind switch
    {
        StageKind.Canary or StageKind.Resilience => Weight ?? 0,
        StageKind.BlueGreen => 100,
        _ => 0,
    };
}
