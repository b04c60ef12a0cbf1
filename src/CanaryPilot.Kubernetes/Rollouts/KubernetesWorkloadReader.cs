using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>
/// <see cref="IWorkloadReader"/> on the cluster: a plan's workload is the Deployment of that name, else the
/// StatefulSet, read as JSON through the controller's cache (both kinds are watched) and the API when not cached.
/// </summary>
public sealed class KubernetesWorkloadReader(CustomObjects objects) : IWorkloadReader
{
    public static ResourceKind Deployments { get; } = new("apps", "v1", "deployments");

    public static ResourceKind StatefulSets { get; } = new("apps", "v1", "statefulsets");

    /// <summary>The kinds the reader reads: what a controller's cache watches.</summary>
    public static IReadOnlyList<ResourceKind> Kinds { get; } = [Deployments, StatefulSets];

    public async Task<WorkloadState?> ReadAsync(string namespaceName, string name, CancellationToken cancellationToken)
    {
        if (await objects.GetAsync(Deployments.In(namespaceName, name), cancellationToken) is { } deployment)
        {
            return State("Deployment", namespaceName, name, deployment);
        }

        return await objects.GetAsync(StatefulSets.In(namespaceName, name), cancellationToken) is { } set ? State("StatefulSet", namespaceName, name, set) : null;
    }

    /// <summary>
    /// Desired replicas (<c>spec.replicas</c>, 1 when unset) and available ones (<c>status.availableReplicas</c>: ready for
    /// at least minReadySeconds, and no more than <c>status.updatedReplicas</c>, those of the current template); the
    /// status is current when the controller has observed the spec's generation.
    /// </summary>
    private static WorkloadState State(string kind, string namespaceName, string name, JsonObject workload)
    {
        var desired = Integer(workload["spec"]?["replicas"]) ?? 1;
        // During a rollout of the workload itself, available pods may still run the old template: count only updated ones.
        var available = Math.Min(Integer(workload["status"]?["availableReplicas"]) ?? 0, Integer(workload["status"]?["updatedReplicas"]) ?? int.MaxValue);
        var generation = Integer(workload["metadata"]?["generation"]);
        var observed = Integer(workload["status"]?["observedGeneration"]);
        return new WorkloadState(kind, namespaceName, name, desired, available, Current: generation is null || observed >= generation);
    }

    private static int? Integer(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? (int)Math.Min(number, int.MaxValue) : null;
}
