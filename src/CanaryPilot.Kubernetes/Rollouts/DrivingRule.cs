namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>
/// Who drives a rollout — the one rule the watch, the leader's rebuild, the scheduled ticks, triggers
/// and every API command ask. A controller (<c>serve</c>) drives, while it leads, the plans of its
/// namespaces that no <c>canarypilot run</c> has taken; a <c>run</c> drives only the plan it published.
/// </summary>
public sealed class DrivingRule
{
    /// <summary>The annotation that says who drives a plan.</summary>
    public const string DriverAnnotation = "canarypilot.io/driven-by";

    /// <summary>Its value on plans a <c>canarypilot run</c> drives.</summary>
    public const string CliDriver = "canarypilot-run";

    private readonly IReadOnlySet<string>? _namespaces;
    private readonly Func<bool> _leading;

    private DrivingRule(IReadOnlySet<string>? namespaces, Func<bool> leading)
    {
        _namespaces = namespaces;
        _leading = leading;
    }

    /// <summary>The rule of <c>canarypilot run</c>: plans marked as driven from the command line.</summary>
    public static DrivingRule ForCli() => new(null, () => true);

    /// <summary>The rule of a controller driving <paramref name="namespaces"/> (every namespace when empty) while <paramref name="leading"/>.</summary>
    public static DrivingRule ForController(IEnumerable<string> namespaces, Func<bool> leading) =>
        new(new HashSet<string>(namespaces, StringComparer.Ordinal), leading);

    public bool IsCli => _namespaces is null;

    /// <summary>Whether this process drives the plan of <paramref name="namespaceName"/> marked <paramref name="drivenBy"/>; <see cref="Refusal.None"/> when it does.</summary>
    public Refusal Check(string namespaceName, string? drivenBy)
    {
        if (_namespaces is null)
        {
            return drivenBy == CliDriver ? Refusal.None : Refusal.DrivenByController;
        }

        if (_namespaces.Count > 0 && !_namespaces.Contains(namespaceName))
        {
            return Refusal.OtherNamespace;
        }

        if (drivenBy == CliDriver)
        {
            return Refusal.DrivenByCli;
        }

        return _leading() ? Refusal.None : Refusal.NotLeader;
    }

    /// <summary>Why not, for a person.</summary>
    public string Explain(Refusal refusal, string namespaceName) => refusal switch
    {
        Refusal.OtherNamespace => $"namespace {namespaceName} is not among the namespaces this controller drives ({string.Join(", ", _namespaces!.Order(StringComparer.Ordinal))})",
        Refusal.DrivenByCli => $"the plan is driven by a canarypilot run (annotation {DriverAnnotation}: {CliDriver}); that run drives it to its verdict",
        Refusal.DrivenByController => "the plan is driven by the in-cluster controller, not by this run",
        Refusal.NotLeader => "this replica is on standby; the leader drives rollouts",
        _ => "",
    };

    public enum Refusal
    {
        None,
        NotLeader,
        OtherNamespace,
        DrivenByCli,
        DrivenByController,
    }
}
