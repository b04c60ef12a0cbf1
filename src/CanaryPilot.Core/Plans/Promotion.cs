namespace CanaryPilot.Core.Plans;

/// <summary>What happens after the last stage has passed.</summary>
public sealed record Promotion
{
    /// <summary>
    /// Promote to 100% after the last stage even though it sent the canary less than all traffic.
    /// Without it, stages that never reach 100% are an error: CanaryPilot does not promote by surprise.
    /// </summary>
    public bool AfterLastStage { get; init; }

    /// <summary><c>required</c>: wait for a person before the final promotion.</summary>
    public Approval Approval { get; init; } = Approval.None;
}
