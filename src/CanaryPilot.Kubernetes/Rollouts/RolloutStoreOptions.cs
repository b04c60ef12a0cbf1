namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>Which RolloutPlans the store reads.</summary>
public sealed class RolloutStoreOptions
{
    public const string SectionName = "Rollouts";

    /// <summary>The namespaces watched; every namespace when empty.</summary>
    public IList<string> Namespaces { get; } = [];
}
