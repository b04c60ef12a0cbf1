using System.Text.Json.Serialization;

namespace CanaryPilot.Core.Plans;

/// <summary>
/// How the workloads the plan names (<c>spec.service.canary.workload</c>, <c>spec.service.stable.workload</c>) are
/// checked before every traffic increase and before promotion, so that traffic only goes where replicas can serve it.
/// </summary>
public sealed record ReadinessSpec
{
    /// <summary>
    /// <c>auto</c> (the default): check the canary's workload when it is a Deployment or StatefulSet of the plan's
    /// namespace, and say once that it is not checked when it is neither (the name is also Istio's
    /// <c>destination_workload</c>, which other controllers may own). <c>required</c>: hold unless it is one and ready.
    /// <c>off</c>: move traffic without looking.
    /// </summary>
    public ReadinessCheck Check { get; init; } = ReadinessCheck.Auto;

    /// <summary>Percentage (1–100) of the canary's desired replicas that must be available before its traffic grows; all of them by default.</summary>
    public int MinReady { get; init; } = 100;

    /// <summary>
    /// Also require capacity: before a stage, the canary's available replicas must be at least its share of the stable's
    /// desired replicas (50% of traffic, half of them), and before promotion as many as the stable has.
    /// </summary>
    public bool Capacity { get; init; }
}

public enum ReadinessCheck
{
    Auto,
    Required,
    Off,
}
