using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// The mesh, as the rollout engine sees it. Implementations edit only what CanaryPilot owns in the
/// user's resources, keep every other field as it was, and are safe to call again with the same
/// intent (after a crash, a conflict or a retry).
/// </summary>
public interface ITrafficRouter
{
    /// <summary>Reads the live split of the plan's driven routes.</summary>
    Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken);

    /// <summary>Makes the mesh match <paramref name="intent"/>, and returns what it then holds.</summary>
    Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the rollout in the mesh: sets the final weights (100% to the canary when
    /// <paramref name="promoted"/>, else 100% to stable), removes every entry CanaryPilot added and
    /// restores what it replaced.
    /// </summary>
    Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken);
}

/// <summary>The user's resources cannot be driven as the plan says (a missing route, a third destination); retrying will not help.</summary>
public sealed class TrafficRoutingException(string message) : Exception(message);
