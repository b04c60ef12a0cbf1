namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// One version of the service: how Istio names it in metrics, which destination reaches it, and how
/// it behaves — optionally changing after a while (a canary that degrades five minutes in), or when told.
/// </summary>
public sealed record SimulatedWorkload
{
    /// <summary>The Deployment name, Istio's <c>destination_workload</c>: <c>reviews-v2</c>.</summary>
    public required string Workload { get; init; }

    /// <summary>The version label, Istio's <c>destination_version</c>: <c>v2</c>.</summary>
    public required string Version { get; init; }

    /// <summary>The destination host that reaches it; the service's host for subset-level splits.</summary>
    public required string Host { get; init; }

    /// <summary>The DestinationRule subset that reaches it, for subset-level splits.</summary>
    public string? Subset { get; init; }

    public WorkloadBehavior Behavior { get; init; } = WorkloadBehavior.Healthy;

    /// <summary>The pods' labels, which <c>sourceLabels</c> match; <c>app</c> (the service) and <c>version</c> unless set.</summary>
    public IReadOnlyDictionary<string, string>? Labels { get; init; }

    /// <summary>How it calls the mesh's <see cref="MeshOptions.Dependency"/> while answering; null: it does not.</summary>
    public DependencyCall? Calls { get; init; }

    /// <summary>Behaviour changes: from <c>After</c> (since the mesh started) on, the workload behaves as given.</summary>
    public IReadOnlyList<(TimeSpan After, WorkloadBehavior Behavior)> Changes { get; init; } = [];

    /// <summary>
    /// How it behaves once the mesh is told to turn it (<see cref="SimulatedMesh.TurnToLater"/>), whatever the time:
    /// a canary that degrades as it reaches a stage.
    /// </summary>
    public WorkloadBehavior? Later { get; init; }

    public WorkloadBehavior BehaviorAt(TimeSpan elapsed) =>
        Changes.Where(c => c.After <= elapsed).OrderBy(c => c.After).Select(c => c.Behavior).LastOrDefault() ?? Behavior;
}
