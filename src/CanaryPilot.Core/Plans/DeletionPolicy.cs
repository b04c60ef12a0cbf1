namespace CanaryPilot.Core.Plans;

/// <summary>What <c>canarypilot serve</c> does to the mesh when a RolloutPlan is deleted in the middle of its rollout.</summary>
public enum DeletionPolicy
{
    /// <summary>Leave the VirtualServices as they are: the split of the moment stays until someone changes it.</summary>
    Leave,

    /// <summary>Send all traffic back to stable and take back everything CanaryPilot added, as a rollback does.</summary>
    RestoreStable,
}
