namespace CanaryPilot.Core.Plans;

/// <summary>An inclusive range; either end may be open.</summary>
public sealed record ValueRange
{
    public double? Min { get; init; }

    public double? Max { get; init; }

    public bool Contains(double value) => (Min is not { } min || value >= min) && (Max is not { } max || value <= max);

    public override string ToString() => (Min, Max) switch
    {
        ({ } min, { } max) => $"[{min}, {max}]",
        ({ } min, null) => $">= {min}",
        (null, { } max) => $"<= {max}",
        _ => "any",
    };
}
