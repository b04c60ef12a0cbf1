namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>A way of deciding a canary's fate: runs one trial's traffic to a verdict.</summary>
internal interface IPolicy
{
    string Name { get; }

    string Rules { get; }

    Task<Outcome> RunAsync(RequestStream stream, Scenario scenario);
}

/// <summary>How a run ended: promoted, rolled back, or neither when the simulated time ran out; and when.</summary>
internal sealed record Outcome(bool Promoted, bool RolledBack, TimeSpan After);
