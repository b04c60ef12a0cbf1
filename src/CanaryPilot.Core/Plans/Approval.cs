namespace CanaryPilot.Core.Plans;

public enum Approval
{
    /// <summary>Proceed as soon as the analysis passes.</summary>
    None,

    /// <summary>Wait for a person to approve (CLI, HTTP API or an approval gate).</summary>
    Required,
}
