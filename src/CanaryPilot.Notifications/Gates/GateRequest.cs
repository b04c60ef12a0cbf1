using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Notifications.Gates;

/// <summary>
/// What a gate is sent: which gate and when, the plan's metadata for it, and the rollout. <c>name</c>,
/// <c>namespace</c> and <c>phase</c> sit at the top too, where gates written for Flagger look for them.
/// </summary>
internal sealed record GateRequest(
    string Gate,
    GateType Type,
    string Name,
    string Namespace,
    RolloutPhase Phase,
    DateTimeOffset Time,
    IReadOnlyDictionary<string, string> Metadata,
    RolloutSnapshot Rollout)
{
    public static GateRequest Of(GateSpec gate, RolloutPlan plan, RolloutStatus status, DateTimeOffset time) =>
        new(gate.Name, gate.Type, plan.Metadata.Name, plan.Namespace, status.Phase, time, gate.Metadata, RolloutSnapshot.Of(plan, status));
}
