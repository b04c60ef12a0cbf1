using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// Where a rollout stands, persisted in the RolloutPlan's status before traffic changes, so a person
/// can follow every decision with <c>kubectl get rolloutplan -o yaml</c> and a restarted controller
/// resumes exactly where the last one stopped.
/// </summary>
public sealed record RolloutStatus
{
    public RolloutPhase Phase { get; init; } = RolloutPhase.Pending;

    /// <summary>Index of the current stage in the plan's stages; null before the first.</summary>
    public int? Stage { get; init; }

    /// <summary>The current stage's name or description, for people.</summary>
    public string? StageName { get; init; }

    /// <summary>The canary's share of traffic CanaryPilot last set.</summary>
    public int CanaryWeight { get; init; }

    /// <summary>The stable's share of traffic CanaryPilot last set.</summary>
    public int StableWeight { get; init; } = 100;

    /// <summary>Failed analysis checks counted toward the failure limit.</summary>
    public int FailedChecks { get; init; }

    /// <summary>Inconclusive checks in a row (no data, too little traffic, the provider down).</summary>
    public int InconclusiveChecks { get; init; }

    /// <summary>Since when the checks have been inconclusive; the plan says how long that may last.</summary>
    public DateTimeOffset? InconclusiveSince { get; init; }

    /// <summary>Passing checks in a row in the current stage.</summary>
    public int StagePasses { get; init; }

    /// <summary>Since when the current stage's checks have passed without a break.</summary>
    public DateTimeOffset? StagePassingSince { get; init; }

    /// <summary>What a person is asked to approve, in the AwaitingApproval phase.</summary>
    public ApprovalGate? AwaitingApprovalFor { get; init; }

    /// <summary>Which gates hold the rollout's next step: they closed, failed or timed out, and are asked again each interval.</summary>
    public GateType? AwaitingGate { get; init; }

    /// <summary>The phase a pause interrupted, to resume to.</summary>
    public RolloutPhase? PausedFrom { get; init; }

    /// <summary>Why the rollout is rolling back or was rolled back.</summary>
    public RollbackCause? Cause { get; init; }

    /// <summary>Which attempt at this revision: 1, then one more per retry.</summary>
    public int Attempt { get; init; }

    /// <summary>The last result of each metric, with the numbers behind it.</summary>
    public IReadOnlyList<MetricStatus> Metrics { get; init; } = [];

    /// <summary>
    /// The sequential judge's counts of the stages this attempt has left, per metric: with the current
    /// stage's, one test over the whole rollout.
    /// </summary>
    public IReadOnlyList<CountedStage> Counted { get; init; } = [];

    public AnalysisSummary? LastAnalysis { get; init; }

    public IReadOnlyList<RolloutCondition> Conditions { get; init; } = [];

    /// <summary>The plan generation this status describes.</summary>
    public long? ObservedGeneration { get; init; }

    /// <summary>What is being rolled out: the canary destination or revision.</summary>
    public string? Revision { get; init; }

    /// <summary>The stable destination once the rollout ended; after a promotion, the former canary.</summary>
    public string? StableRevision { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StageStartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The last decision, in a sentence.</summary>
    public string? Message { get; init; }

    /// <summary>
    /// Why the traffic CanaryPilot set is not in force — a route's parent refused it, or has not taken it up
    /// yet — while the stage holds for it; null when the mesh follows the status.
    /// </summary>
    public string? TrafficHold { get; init; }

    /// <summary>The last checks and steps, oldest first, for people and dashboards to draw (<see cref="RolloutHistory"/>).</summary>
    public IReadOnlyList<HistoryPoint> History { get; init; } = [];

    /// <summary>Why the canary's traffic does not grow yet — its workload is not ready, or lacks the capacity — while the rollout holds for it; null otherwise.</summary>
    public string? WorkloadHold { get; init; }
}

public enum RolloutPhase
{
    Pending,
    Initializing,
    Progressing,
    Paused,
    AwaitingApproval,
    Promoting,
    Succeeded,
    RollingBack,
    RolledBack,
    Aborted,
}

public enum ApprovalGate
{
    /// <summary>The current stage passed; approval moves to the next.</summary>
    Stage,

    /// <summary>Every stage passed; approval promotes.</summary>
    Promotion,
}

public enum RollbackCause
{
    AnalysisFailed,
    CriticalThreshold,
    ProgressDeadline,
    NoEvidence,
    Aborted,

    /// <summary>A gate whose policy is <c>fail</c> did not answer in time.</summary>
    GateTimedOut,

    /// <summary>The plan's canary changed mid-rollout; the rollout starts over with the new one.</summary>
    Superseded,

    /// <summary>The mesh cannot be driven as the stage needs (a route or VirtualService gone, a shape CanaryPilot will not guess at).</summary>
    TrafficRefused,
}

/// <summary>One metric's last result.</summary>
public sealed record MetricStatus
{
    public required string Name { get; init; }

    /// <summary><c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>error</c>.</summary>
    public required string Verdict { get; init; }

    public double? Value { get; init; }

    public double? StableValue { get; init; }

    /// <summary>What the value was judged against, for people: <c>&gt;= 99</c>.</summary>
    public string? Threshold { get; init; }

    /// <summary>The rendered query.</summary>
    public string? Query { get; init; }

    /// <summary>Why the verdict, in a sentence.</summary>
    public string? Reason { get; init; }

    public DateTimeOffset MeasuredAt { get; init; }

    /// <summary>What the sequential judge's verdict rests on, when it judged the metric.</summary>
    public MetricEvidence? Evidence { get; init; }
}

/// <summary>One finished stage's counts of one metric, for the sequential judge.</summary>
public sealed record CountedStage
{
    public required string Metric { get; init; }

    public int Stage { get; init; }

    public double CanaryEvents { get; init; }

    public double CanaryRequests { get; init; }

    public double StableEvents { get; init; }

    public double StableRequests { get; init; }
}

/// <summary>
/// The sequential judge's evidence for one metric: the ratio of the canary's event rate to stable's, its
/// confidence bounds over the rollout so far, the tolerance, the e-value and the counts since the stage
/// began (the earlier stages' are in <see cref="RolloutStatus.Counted"/>).
/// </summary>
public sealed record MetricEvidence
{
    /// <summary>The best-fitting ratio; absent before any event.</summary>
    public double? Ratio { get; init; }

    public double Lower { get; init; }

    /// <summary>Absent while the counts cannot bound the ratio from above.</summary>
    public double? Upper { get; init; }

    /// <summary>The ratio beyond which the canary is rolled back.</summary>
    public double Tolerance { get; init; }

    /// <summary>The ratio the upper bound must fall under for a stage to pass (<c>promoteWithin</c>, else the tolerance).</summary>
    public double PromoteBelow { get; init; }

    public double Confidence { get; init; }

    public double EValue { get; init; }

    public double CanaryEvents { get; init; }

    public double CanaryRequests { get; init; }

    public double StableEvents { get; init; }

    public double StableRequests { get; init; }
}

public sealed record AnalysisSummary
{
    public DateTimeOffset Time { get; init; }

    /// <summary><c>pass</c>, <c>fail</c>, <c>inconclusive</c> or <c>error</c>.</summary>
    public required string Verdict { get; init; }

    /// <summary>For people: <c>2/2 metrics passed</c>.</summary>
    public string? Summary { get; init; }
}

/// <summary>A Kubernetes-style condition.</summary>
public sealed record RolloutCondition
{
    public required string Type { get; init; }

    /// <summary><c>True</c>, <c>False</c> or <c>Unknown</c>.</summary>
    public required string Status { get; init; }

    public string? Reason { get; init; }

    public string? Message { get; init; }

    public DateTimeOffset LastTransitionTime { get; init; }

    /// <summary>The conditions with the one of <paramref name="type"/> set; its transition time moves only when its status does.</summary>
    public static IReadOnlyList<RolloutCondition> Set(IReadOnlyList<RolloutCondition> conditions, string type, bool value, string reason, string message, DateTimeOffset now)
    {
        var status = value ? "True" : "False";
        var existing = conditions.FirstOrDefault(c => c.Type == type);
        var condition = new RolloutCondition
        {
            Type = type,
            Status = status,
            Reason = reason,
            Message = message,
            LastTransitionTime = existing?.Status == status ? existing.LastTransitionTime : now,
        };
        return [.. conditions.Where(c => c.Type != type), condition];
    }
}
