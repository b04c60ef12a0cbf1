namespace CanaryPilot.Benchmarks.Faults;

/// <summary>What a fault run went through, judged from the cluster and the webhook receiver rather than from what the controller says.</summary>
internal sealed record RunJudgement
{
    public static readonly RunJudgement None = new();

    /// <summary>No verdict in time; the last lines collected say where it stood.</summary>
    public bool Lost { get; init; }

    /// <summary>The canary's weight went down during a healthy rollout.</summary>
    public bool Lowered { get; init; }

    /// <summary>The weights were not the plan's stages in order.</summary>
    public bool Skipped { get; init; }

    /// <summary>Stages entered more than once (a stage's start in the status moved).</summary>
    public int Repeated { get; init; }

    public bool FieldsSurvived { get; init; } = true;

    /// <summary>Secrets found in what the run showed.</summary>
    public int Leaks { get; init; }

    public int Notifications { get; init; }

    /// <summary>Notifications that told a transition (event and stage) already told.</summary>
    public int DuplicateNotifications { get; init; }

    public IReadOnlyList<string> Wrong { get; init; } = [];

    public bool Right => Wrong.Count == 0;

    public static RunJudgement LostRun(FaultBed bed) =>
        new() { Lost = true, Wrong = [$"no verdict within the deadline; last lines: {string.Join(" | ", bed.Last(3))}"] };
}
