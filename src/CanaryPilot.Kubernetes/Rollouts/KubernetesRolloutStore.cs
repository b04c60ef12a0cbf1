using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>
/// <see cref="IRolloutStore"/> on RolloutPlan custom resources, in the namespaces of
/// <see cref="RolloutStoreOptions"/>. Plans are read through <see cref="PlanReader"/>; an invalid one is
/// returned with its problems, so one bad object never stops the others. Status goes through the
/// status subresource.
/// </summary>
public sealed class KubernetesRolloutStore(CustomObjects objects, PlanReader reader, RolloutStoreOptions options) : IRolloutStore
{
    public async Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken)
    {
        var rollouts = new List<StoredRollout>();
        foreach (var ns in options.Namespaces.Count == 0 ? [null] : options.Namespaces.Select(n => (string?)n))
        {
            foreach (var item in await objects.ListAsync(CanaryPilotResources.RolloutPlans, ns, cancellationToken))
            {
                rollouts.Add(await reader.ReadAsync(item, cancellationToken));
            }
        }

        return rollouts;
    }

    public async Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        await objects.GetAsync(CanaryPilotResources.RolloutPlan(namespaceName, name), cancellationToken) is { } item
            ? await reader.ReadAsync(item, cancellationToken)
            : null;

    public async Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken)
    {
        var written = await objects.UpdateAsync(
            CanaryPilotResources.RolloutPlan(namespaceName, name),
            item => item["status"] = StatusJson.Write(change(StatusJson.Read(item["status"]))),
            status: true,
            cancellationToken);
        return StatusJson.Read(written["status"]);
    }
}
