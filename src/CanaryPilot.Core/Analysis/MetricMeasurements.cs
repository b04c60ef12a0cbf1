namespace CanaryPilot.Core.Analysis;

/// <summary>What was measured for one metric: the canary, and the stable and request volume when its rules need them.</summary>
public sealed record MetricMeasurements(Measurement Canary, Measurement? Stable = null, Measurement? RequestVolume = null);
