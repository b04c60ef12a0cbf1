namespace CanaryPilot.Sandbox.Mesh;

/// <summary>The simulated service: its VirtualService in the emulator, its versions, and its clients.</summary>
public sealed record MeshOptions
{
    public required string Namespace { get; init; }

    /// <summary>The Kubernetes Service: <c>reviews</c>.</summary>
    public required string Service { get; init; }

    /// <summary>The VirtualService whose routes the traffic follows, in sidecar mode; unless <see cref="HttpRoute"/> is set.</summary>
    public string? VirtualService { get; init; }

    /// <summary>
    /// Ambient mode: the HTTPRoute whose rules the traffic follows, through a waypoint that reports
    /// <c>reporter="waypoint"</c> telemetry once per request, and whose <c>status.parents</c> the mesh writes as Istio's
    /// controller does.
    /// </summary>
    public string? HttpRoute { get; init; }

    /// <summary>gateway.networking.k8s.io version to read and write the HTTPRoute with.</summary>
    public string GatewayApiVersion { get; init; } = "v1";

    public bool Ambient => HttpRoute is not null;

    /// <summary>networking.istio.io version to read it with.</summary>
    public string IstioApiVersion { get; init; } = "v1";

    public required IReadOnlyList<SimulatedWorkload> Workloads { get; init; }

    /// <summary>A service the workloads call (those with <see cref="SimulatedWorkload.Calls"/>), through its VirtualService; none when null.</summary>
    public SimulatedDependency? Dependency { get; init; }

    /// <summary>Requests per second the clients send.</summary>
    public double RequestsPerSecond { get; init; } = 50;

    /// <summary>
    /// How many distinct clients send the requests, each keeping the cookies the responses set and sending them back, as
    /// browsers do; 0 (the default): every request comes from a client never seen before.
    /// </summary>
    public int Clients { get; init; }

    /// <summary>Share (0–1) of clients that send <see cref="BetaHeaders"/>, the ones A/B routes look for.</summary>
    public double BetaShare { get; init; } = 0.1;

    public IReadOnlyDictionary<string, string> BetaHeaders { get; init; } = new Dictionary<string, string> { ["x-user-group"] = "beta", ["cookie"] = "session=1; canary=always" };

    /// <summary>The path the clients request.</summary>
    public string Path { get; init; } = "/reviews/0";

    /// <summary>The calling workload, as Istio names the source.</summary>
    public MeshIdentity Client { get; init; } = new("productpage-v1", "bookinfo", "productpage", "v1");

    /// <summary>Seeds the random choices, so a run can be repeated.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>How often traffic is generated and the VirtualService re-read.</summary>
    public TimeSpan Tick { get; init; } = TimeSpan.FromMilliseconds(100);
}
