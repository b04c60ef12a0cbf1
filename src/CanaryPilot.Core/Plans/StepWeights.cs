namespace CanaryPilot.Core.Plans;

/// <summary>Generates canary stages step, 2×step, … up to max, each with the same minimum length.</summary>
public sealed record StepWeights
{
    /// <summary>Weight added at each stage (1–100).</summary>
    public required int Step { get; init; }

    /// <summary>The last stage's weight (1–100); defaults to 100.</summary>
    public int Max { get; init; } = 100;

    /// <summary>Minimum length of each generated stage.</summary>
    public TimeSpan? MinDuration { get; init; }

    /// <summary>Analysis intervals each generated stage lasts at least.</summary>
    public int? Iterations { get; init; }
}
