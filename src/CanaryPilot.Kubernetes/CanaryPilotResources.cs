namespace CanaryPilot.Kubernetes;

/// <summary>CanaryPilot's own resources as the Kubernetes API serves them: one definition of each name.</summary>
public static class CanaryPilotResources
{
    public const string Group = Core.Plans.RolloutPlan.ApiGroup;

    public const string Version = "v1alpha1";

    public static ResourceKind RolloutPlans { get; } = new(Group, Version, "rolloutplans");

    public static ResourceKind AnalysisTemplates { get; } = new(Group, Version, "analysistemplates");

    /// <summary>What to do when the cluster does not serve RolloutPlans.</summary>
    public const string CrdMissingHint = "the cluster does not serve canarypilot.io/v1alpha1 RolloutPlans; install the CRDs first: kubectl apply -f deploy/crds/";

    public static ResourceRef RolloutPlan(string namespaceName, string name) => RolloutPlans.In(namespaceName, name);
}

/// <summary>A kind of namespaced resource: its group, version and plural.</summary>
public sealed record ResourceKind(string Group, string Version, string Plural)
{
    public ResourceRef In(string namespaceName, string name) => new(Group, Version, namespaceName, Plural, name);

    public override string ToString() => Group.Length == 0 ? $"{Plural}/{Version}" : $"{Plural}.{Group}/{Version}";
}
