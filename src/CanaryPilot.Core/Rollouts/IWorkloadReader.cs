namespace CanaryPilot.Core.Rollouts;

/// <summary>Reads the replicas of the workloads a plan names: the port the readiness checks ask.</summary>
public interface IWorkloadReader
{
    /// <summary>The Deployment or StatefulSet <paramref name="name"/> in <paramref name="namespaceName"/>; null when there is neither.</summary>
    Task<WorkloadState?> ReadAsync(string namespaceName, string name, CancellationToken cancellationToken);
}

/// <summary>
/// A workload's replicas as its controller last reported them. <paramref name="Current"/> is false when the status is
/// for an older generation than the spec: the controller has not caught up with a change yet.
/// </summary>
public sealed record WorkloadState(string Kind, string Namespace, string Name, int Desired, int Available, bool Current = true)
{
    public override string ToString() => $"{Kind} {Namespace}/{Name}";
}
