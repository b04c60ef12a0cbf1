using CanaryPilot.Core.Rollouts;
using CanaryPilot.Sandbox.Mesh;

namespace CanaryPilot.Demo;

/// <summary>What the demo's canary does, and how its rollout must end for the demo to have shown it right.</summary>
internal sealed record DemoScenario(string Name, string Story, SimulatedWorkload Canary, double RequestsPerSecond, RolloutPhase Expected, params RollbackCause[] ExpectedCauses)
{
    /// <summary>The plan the scenario rolls out: the bookinfo plan with its minutes made seconds, unless the scenario has its own.</summary>
    public string Plan { get; init; } = DemoPlan.Yaml;

    /// <summary>How the stable version calls ratings while it answers; null: it does not.</summary>
    public DependencyCall? StableCalls { get; init; }

    /// <summary>How the stable version answers.</summary>
    public WorkloadBehavior Stable { get; init; } = Healthy;

    /// <summary>Both versions answer in 5–10 ms: inside one histogram bucket, so percentiles compare exactly.</summary>
    public static WorkloadBehavior Healthy { get; } = new() { LatencyMedianMs = 7, LatencyP99Ms = 9 };

    /// <summary>Both versions fail 1% of their requests, as real services do: the sequential judge learns from such events.</summary>
    private static readonly WorkloadBehavior Everyday = Healthy with { ErrorRate = 0.01 };

    public static IReadOnlyList<DemoScenario> All { get; } =
    [
        new("healthy", "reviews v2 is as good as v1: every stage passes and it is promoted", Version2(Healthy), 200, RolloutPhase.Succeeded),
        new("error-spike", "reviews v2 starts well, then a quarter of its requests fail: the analysis catches it and traffic goes back to v1",
            Version2(Healthy, Healthy with { ErrorRate = 0.25 }), 200, RolloutPhase.RolledBack, RollbackCause.CriticalThreshold, RollbackCause.AnalysisFailed),
        new("latency", "reviews v2 starts well, then its p99 latency climbs past 500 ms: it is rolled back",
            Version2(Healthy, Healthy with { LatencyMedianMs = 400, LatencyP99Ms = 900 }), 200, RolloutPhase.RolledBack, RollbackCause.AnalysisFailed),
        new("no-traffic", "nobody calls reviews: with no evidence the canary is never promoted, and the missing-data policy rolls it back",
            Version2(Healthy), 0, RolloutPhase.RolledBack, RollbackCause.NoEvidence),
        new("sequential", "both versions fail 1% of requests; then v2 fails 5%: the sequential judge, watching every scrape, is confident v2 is worse and rolls it back, with the bounds",
            Version2(Everyday, Everyday with { ErrorRate = 0.05 }), 200, RolloutPhase.RolledBack, RollbackCause.AnalysisFailed)
        {
            Plan = DemoPlan.Sequential,
            Stable = Everyday,
            TurnsBadWhen = status => status.LastAnalysis is not null,
        },
        new("flaky-prometheus", "Prometheus goes away mid-rollout: the checks are inconclusive, the stage holds, and the missing-data policy rolls back",
            Version2(Healthy), 200, RolloutPhase.RolledBack, RollbackCause.NoEvidence),
        new("unready-canary", "reviews v2's pods are not ready yet: it gets no traffic and the rollout says why; once they are, it proceeds and is promoted",
            Version2(Healthy), 200, RolloutPhase.Succeeded)
        {
            CanaryStartsUnready = true,
        },
        new("resilience", "reviews v2 lost the timeout v1 has on its calls to ratings: a resilience stage makes half of v2's calls to ratings wait 2 s, its p99 climbs past 1 s, and it is rolled back, ratings' VirtualService as its team wrote it",
            Version2(Healthy) with { Calls = DependencyCall.Naive }, 200, RolloutPhase.RolledBack, RollbackCause.AnalysisFailed, RollbackCause.CriticalThreshold)
        {
            Plan = DemoPlan.Resilience,
            StableCalls = DependencyCall.Careful(TimeSpan.FromMilliseconds(250)),
            SidecarOnly = "its faults go through the ratings VirtualService, and the Gateway API has no fault filter",
        },
    ];

    public static DemoScenario? Find(string name) => All.FirstOrDefault(s => s.Name == name);

    /// <summary>Whether the rollout ended as this scenario should.</summary>
    public bool EndedAsExpected(RolloutStatus status) =>
        status.Phase == Expected && (ExpectedCauses.Length == 0 || (status.Cause is { } cause && ExpectedCauses.Contains(cause)));

    /// <summary>Why the scenario runs in sidecar mode only; null when it runs in both.</summary>
    public string? SidecarOnly { get; init; }

    /// <summary>The canary's Deployment starts with none of its replicas available; they become so once the rollout has held for them a while.</summary>
    public bool CanaryStartsUnready { get; init; }

    /// <summary>The canary's pods become ready after the rollout has said three times that it waits for them.</summary>
    public bool CanaryBecomesReady(int holds) => CanaryStartsUnready && holds == 3;

    /// <summary>Prometheus goes away once the rollout is two stages in.</summary>
    public bool StopsPrometheus(RolloutStatus status) => Name == "flaky-prometheus" && status.Stage >= 1;

    /// <summary>
    /// Whether a canary that starts well turns bad now: at a point of the rollout, not a moment of the clock, so
    /// that however fast the machine, the stages before it see the canary healthy.
    /// </summary>
    public bool TurnsBad(RolloutStatus status) => Canary.Later is not null && TurnsBadWhen(status);

    /// <summary>When a canary that starts well turns bad: as it reaches the second stage, unless the scenario says otherwise.</summary>
    public Func<RolloutStatus, bool> TurnsBadWhen { get; init; } = status => status.Stage >= 1;

    private static SimulatedWorkload Version2(WorkloadBehavior behavior, WorkloadBehavior? later = null) => new()
    {
        Workload = "reviews-v2",
        Version = "v2",
        Host = "reviews",
        Subset = "v2",
        Behavior = behavior,
        Later = later,
    };
}
