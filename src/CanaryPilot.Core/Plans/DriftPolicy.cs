namespace CanaryPilot.Core.Plans;

public enum DriftPolicy
{
    /// <summary>Write CanaryPilot's weights again, and say so.</summary>
    Reapply,

    /// <summary>Pause the rollout and leave the mesh as someone else set it, until a person resumes.</summary>
    Pause,
}
