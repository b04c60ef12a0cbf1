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
/// and the analysis templates it was validated against (the shipped ones when null).
/// </summary>
public sealed record StoredRollout(
    string Namespace,
    string Name,
    RolloutPlan? Plan,
    IReadOnlyList<Diagnostic> Problems,
    RolloutStatus Status,
    long Generation,
    string ResourceVersion,
    Analysis.TemplateCatalog? Templates = null);
