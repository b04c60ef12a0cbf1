using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>What the engine must do after persisting a decision's status.</summary>
public abstract record RolloutAction;

/// <summary>Make the mesh match the intent.</summary>
public sealed record ApplyTraffic(TrafficIntent Intent) : RolloutAction;

/// <summary>End the rollout in the mesh: all traffic to the canary when promoted, else to stable; remove CanaryPilot's entries.</summary>
public sealed record FinalizeTraffic(bool Promoted) : RolloutAction;

/// <summary>Tell people (notifiers) and the cluster (a Kubernetes Event) what happened.</summary>
public sealed record Announce(RolloutEventType Type, Severity Severity, string Reason, string Message) : RolloutAction;

/// <summary>
/// Read the plan's workloads before the canary takes <paramref name="Load"/> percent of the traffic, at stage
/// <paramref name="Stage"/> (its index; null for the promotion), and feed them back as <see cref="WorkloadsObserved"/>.
/// </summary>
public sealed record CheckWorkloads(int? Stage, int Load, string? Why = null) : RolloutAction;

/// <summary>Ask the plan's gates of <paramref name="Type"/> whether the next step may be taken, and feed the answers back as <see cref="GatesAnswered"/>.</summary>
public sealed record AskGates(GateType Type) : RolloutAction;
