using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Core.Notifications;

/// <summary>
/// Asks a gate (<see cref="GateSpec"/>) whether the rollout may take its next step: start, move more
/// traffic, or promote. One question per call, within the gate's timeout; the answer is data, never
/// an exception, and <see cref="GateOutcome.Decide"/> turns it into what the rollout does.
/// </summary>
public interface IGateKeeper
{
    Task<GateOutcome> AskAsync(GateSpec gate, RolloutPlan plan, RolloutStatus status, CancellationToken cancellationToken);
}
