namespace CanaryPilot.Core.Analysis;

/// <summary>The value of one series at the measured instant; NaN and infinities are kept as they came.</summary>
public sealed record Sample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public static Sample Scalar(double value) => new(new Dictionary<string, string>(), value);
}
