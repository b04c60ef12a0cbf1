namespace CanaryPilot.Core.Plans;

/// <summary>
/// A fault a resilience stage injects into the canary's calls to one dependency: on the dependency's VirtualService,
/// through routes matched by the canary pods' labels (Istio's <c>sourceLabels</c>), so that only the canary's outbound
/// requests see it.
/// </summary>
public sealed record DependencyFault
{
    /// <summary>The dependency's host, as the canary calls it: <c>ratings</c>, or <c>ratings.bookinfo.svc.cluster.local</c>.</summary>
    public required string Host { get; init; }

    /// <summary>
    /// The VirtualService that routes the dependency; by default the one in its namespace whose <c>hosts</c> include
    /// <see cref="Host"/>.
    /// </summary>
    public string? VirtualService { get; init; }

    /// <summary>Namespace of the dependency and its VirtualService; the host's, else the plan's.</summary>
    public string? Namespace { get; init; }

    /// <summary>Delay a share of the canary's requests to the dependency.</summary>
    public FaultDelay? Delay { get; init; }

    /// <summary>Answer a share of the canary's requests to the dependency with an error, without reaching it.</summary>
    public FaultAbort? Abort { get; init; }

    /// <summary>Where the dependency lives: <see cref="Namespace"/>, else the host's namespace, else the plan's.</summary>
    public string NamespaceOf(string planNamespace) => Namespace ?? (Host.Split('.') is [_, var ns, ..] ? ns : planNamespace);

    /// <summary>The dependency's short name: the first label of its host.</summary>
    public string ShortName => Host.Split('.')[0];
}

/// <summary>Istio's fault delay: <c>fixedDelay</c> on <c>percentage</c> of the requests.</summary>
public sealed record FaultDelay
{
    /// <summary>How long each delayed request waits before it is sent on: <c>2s</c>, <c>500ms</c>.</summary>
    public TimeSpan? FixedDelay { get; init; }

    /// <summary>Share (0–100, exclusive of 0) of the canary's requests delayed; all of them unless set.</summary>
    public double Percentage { get; init; } = 100;
}

/// <summary>Istio's fault abort: <c>httpStatus</c> or <c>grpcStatus</c> on <c>percentage</c> of the requests.</summary>
public sealed record FaultAbort
{
    /// <summary>The HTTP status returned (200–599): <c>503</c>.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The gRPC status returned, by name: <c>UNAVAILABLE</c>.</summary>
    public string? GrpcStatus { get; init; }

    /// <summary>Share (0–100, exclusive of 0) of the canary's requests aborted; all of them unless set.</summary>
    public double Percentage { get; init; } = 100;
}

/// <summary>A metric's range for one stage, in place of the plan's <c>thresholds</c>.</summary>
public sealed record StageThreshold
{
    /// <summary>The metric's name in <c>spec.analysis.metrics</c>.</summary>
    public required string Metric { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }
}
