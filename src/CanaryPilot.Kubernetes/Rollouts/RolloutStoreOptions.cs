namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>Which RolloutPlans the store reads: the namespaces a controller drives (<c>serve --namespaces</c>).</summary>
public sealed class RolloutStoreOptions
{
    /// <summary>The namespaces read; every namespace when empty.</summary>
    public IList<string> Namespaces { get; } = [];
}
