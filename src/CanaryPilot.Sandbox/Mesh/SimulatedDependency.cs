using System.Globalization;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// A service the simulated workloads call while they answer (bookinfo's <c>ratings</c> for <c>reviews</c>): its
/// VirtualService in the emulator, followed live like the service's own, so fault routes on it act on the calls that match.
/// </summary>
public sealed record SimulatedDependency
{
    /// <summary>The host the workloads call: <c>ratings</c>.</summary>
    public required string Host { get; init; }

    /// <summary>The dependency's VirtualService, in the mesh's namespace.</summary>
    public required string VirtualService { get; init; }

    /// <summary>The workload that answers, as Istio names it in metrics.</summary>
    public required MeshIdentity Workload { get; init; }

    public WorkloadBehavior Behavior { get; init; } = new() { LatencyMedianMs = 4, LatencyP99Ms = 12 };
}

/// <summary>How a workload calls the dependency for each request it serves.</summary>
public sealed record DependencyCall
{
    /// <summary>How long it waits for the answer; null: as long as it takes.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// When the call fails or times out, the workload answers without the dependency's part (reviews without stars);
    /// otherwise it fails the request with 503.
    /// </summary>
    public bool FallsBack { get; init; } = true;

    /// <summary>A caller with a sane timeout and a fallback.</summary>
    public static DependencyCall Careful(TimeSpan timeout) => new() { Timeout = timeout };

    /// <summary>A caller that waits as long as it takes and passes the dependency's errors on.</summary>
    public static DependencyCall Naive { get; } = new() { FallsBack = false };
}

/// <summary>What an Istio <c>fault</c> does to one request: the delay it adds (ms), and the status it aborts with, if any.</summary>
internal static class FaultEffect
{
    public static (double DelayMs, int? AbortStatus) Sample(JsonObject? fault, Random random)
    {
        if (fault is null)
        {
            return (0, null);
        }

        var delay = 0.0;
        if (fault["delay"] is JsonObject delayed && Hits(delayed, random) && Milliseconds(delayed["fixedDelay"]?.GetValue<string>()) is { } ms)
        {
            delay = ms;
        }

        int? status = null;
        if (fault["abort"] is JsonObject abort && Hits(abort, random))
        {
            status = abort["httpStatus"]?.GetValue<int>() ?? 503; // a gRPC status: an unavailable upstream to the caller
        }

        return (delay, status);
    }

    private static bool Hits(JsonObject part, Random random) =>
        random.NextDouble() * 100 < (part["percentage"]?["value"]?.GetValue<double>() ?? 100);

    /// <summary>A protobuf Duration as Istio reads it: <c>2s</c>, <c>0.5s</c>, <c>500ms</c>.</summary>
    private static double? Milliseconds(string? text) => text switch
    {
        null => null,
        _ when text.EndsWith("ms", StringComparison.Ordinal) && double.TryParse(text[..^2], CultureInfo.InvariantCulture, out var ms) => ms,
        _ when text.EndsWith('s') && double.TryParse(text[..^1], CultureInfo.InvariantCulture, out var s) => s * 1000,
        _ => null,
    };
}
