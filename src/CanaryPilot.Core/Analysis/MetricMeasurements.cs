namespace CanaryPilot.Core.Analysis;

/// <summary>
/// What was measured for one metric: the canary, and the stable, the request volume and the sequential
/// judge's counts when its rules need them.
/// </summary>
/// <remarks>
/// <see cref="StableIdle"/>: the stage sends stable no traffic (a stage at 100%), so the sequential judge
/// has nothing to compare; its comparisons were made in the stages before.
/// </remarks>
public sealed record MetricMeasurements(Measurement Canary, Measurement? Stable = null, Measurement? RequestVolume = null, CountMeasurements? Counts = null, bool StableIdle = false);

/// <summary>The sequential judge's counts as measured: events and requests of each version since the stage began.</summary>
public sealed record CountMeasurements(Measurement CanaryEvents, Measurement CanaryRequests, Measurement StableEvents, Measurement StableRequests);
