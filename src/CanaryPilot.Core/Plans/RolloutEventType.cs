namespace CanaryPilot.Core.Plans;

/// <summary>What happened in a rollout, as notifiers and filters name it.</summary>
public enum RolloutEventType
{
    Started,
    StageAdvanced,
    AnalysisFailed,
    AwaitingApproval,
    DriftDetected,
    TrafficHeld,
    WorkloadNotChecked,
    Promoted,
    RolledBack,
    Aborted,
    Error,
}
