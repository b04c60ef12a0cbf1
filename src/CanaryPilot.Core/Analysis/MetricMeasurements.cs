namespace CanaryPilot.Core.Analysis;

/// <summary>
/// What was measured for one metric: the canary, and the stable, the request volume and the sequential
/// judge's counts when its rules need them.
/// </summary>
public sealed record MetricMeasurements(Measurement Canary, Measurement? Stable = null, Measurement? RequestVolume = null, CountMeasurements? Counts = null);

/// <summary>The sequential judge's counts as measured: events and requests of each version since the stage began.</summary>
public sealed record CountMeasurements(Measurement CanaryEvents, Measurement CanaryRequests, Measurement StableEvents, Measurement StableRequests);
