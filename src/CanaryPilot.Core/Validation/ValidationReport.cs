using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

/// <summary>What <c>validate</c> found: the plans that are valid, and every finding.</summary>
public sealed record ValidationReport(IReadOnlyList<RolloutPlan> ValidPlans, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool IsValid => !Diagnostics.Any(d => d.Severity == Severity.Error);
}
