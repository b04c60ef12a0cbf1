using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>Where plans come from and where their status is kept: RolloutPlan resources in the cluster.</summary>
public interface IRolloutStore
{
    /// <summary>Every plan in the namespaces the store watches; invalid ones carry their problems instead of a plan.</summary>
    Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken);

    /// <summary>One plan, or null when it does not exist.</summary>
    Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the status that <paramref name="change"/> makes of the current one, through the status
    /// subresource; on a conflict it reads again and re-applies <paramref name="change"/>.
    /// </summary>
    Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken);
}

/// <summary>
/// A RolloutPlan as stored: the plan (null when invalid, with its problems), its status, bookkeeping,
/// the analysis templates it was validated against (the shipped ones when null), and who drives it
/// (the <c>canarypilot.io/driven-by</c> annotation).
/// </summary>
public sealed record StoredRollout(
    string Namespace,
    string Name,
    RolloutPlan? Plan,
    IReadOnlyList<Diagnostic> Problems,
    RolloutStatus Status,
    long Generation,
    string ResourceVersion,
    Analysis.TemplateCatalog? Templates = null,
    string? DrivenBy = null)
{
    /// <summary>The last rollout ended, and it was of the plan as it is now.</summary>
    public bool EndedAtThisGeneration => RolloutMachine.IsTerminal(Status.Phase) && Status.ObservedGeneration == Generation;

    /// <summary>
    /// The last rollout ended and the plan changed since (a new canary, a new revision): the plan is due
    /// a new rollout. The one place this rule is written.
    /// </summary>
    public bool ChangedSinceItsRollout => RolloutMachine.IsTerminal(Status.Phase) && Status.ObservedGeneration != Generation;

    /// <summary>The status a new rollout of <paramref name="generation"/> starts from, when <paramref name="current"/> is of a finished rollout of an older one; otherwise <paramref name="current"/>.</summary>
    public static RolloutStatus Restarted(RolloutStatus current, long generation) =>
        RolloutMachine.IsTerminal(current.Phase) && current.ObservedGeneration != generation ? new RolloutStatus() : current;
}
