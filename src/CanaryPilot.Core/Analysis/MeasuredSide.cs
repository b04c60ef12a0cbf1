namespace CanaryPilot.Core.Analysis;

/// <summary>Which version a query measures.</summary>
public enum MeasuredSide
{
    Canary,
    Stable,
}
