using CanaryPilot.Kubernetes.Rollouts;

namespace CanaryPilot.Kubernetes.Tests.Rollouts;

/// <summary>Who drives a rollout: a run its own plan, a controller the plans of its namespaces that no run has taken, and only while it leads.</summary>
public sealed class DrivingRuleTests
{
    public static TheoryData<string[], bool, string, string?, DrivingRule.Refusal> Controllers => new()
    {
        { [], true, "bookinfo", null, DrivingRule.Refusal.None },
        { ["bookinfo"], true, "bookinfo", null, DrivingRule.Refusal.None },
        { ["bookinfo"], true, "storefront", null, DrivingRule.Refusal.OtherNamespace },
        { ["bookinfo"], true, "bookinfo", DrivingRule.CliDriver, DrivingRule.Refusal.DrivenByCli },
        { ["bookinfo"], false, "storefront", DrivingRule.CliDriver, DrivingRule.Refusal.OtherNamespace },
        { [], false, "bookinfo", null, DrivingRule.Refusal.NotLeader },
        { [], true, "bookinfo", "someone-else", DrivingRule.Refusal.None },
    };

    [Theory]
    [MemberData(nameof(Controllers))]
    public void AController_DrivesItsNamespaces_NotARunsPlans_OnlyWhileLeading(string[] namespaces, bool leading, string ns, string? drivenBy, DrivingRule.Refusal expected) =>
        Assert.Equal(expected, DrivingRule.ForController(namespaces, () => leading).Check(ns, drivenBy));

    [Theory]
    [InlineData(DrivingRule.CliDriver, DrivingRule.Refusal.None)]
    [InlineData(null, DrivingRule.Refusal.DrivenByController)]
    public void ARun_DrivesOnlyThePlanItPublished(string? drivenBy, DrivingRule.Refusal expected) =>
        Assert.Equal(expected, DrivingRule.ForCli().Check("bookinfo", drivenBy));
}
