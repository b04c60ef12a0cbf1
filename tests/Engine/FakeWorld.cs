using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Testing.Engine;

/// <summary>In-memory fakes of the engine's ports, writing into one shared log so tests can check the order of effects.</summary>
public sealed class FakeWorld
{
    public List<string> Log { get; } = [];

    public InMemoryStore Store { get; }

    public FakeRouter Router { get; }

    public FakeMetrics Metrics { get; }

    public RecordingAnnouncer Announcer { get; }

    public FakeGates Gates { get; }

    public FakeWorld(RolloutPlan plan)
    {
        Store = new InMemoryStore(plan, Log);
        Router = new FakeRouter(Log);
        Metrics = new FakeMetrics { CanaryWeight = () => Router.LiveWeight };
        Announcer = new RecordingAnnouncer(Log);
        Gates = new FakeGates(Log);
    }

    /// <summary>The workloads the reconciler reads; none (an engine without a reader) when null.</summary>
    public IWorkloadReader? Workloads { get; set; }

    public RolloutReconciler Reconciler(TimeProvider time) =>
        new(Store, Router, (_, _) => ValueTask.FromResult(new Analyzer(Metrics, TemplateCatalog.BuiltIn())), Announcer, time, Gates, workloads: Workloads);
}

/// <summary>Workloads as a cluster reports them: <see cref="Read"/> answers, or throws as a refusing API would.</summary>
public sealed class FakeWorkloads(Func<string, WorkloadState?> read) : IWorkloadReader
{
    public Func<string, WorkloadState?> Read { get; set; } = read;

    public Task<WorkloadState?> ReadAsync(string namespaceName, string name, CancellationToken cancellationToken) => Task.FromResult(Read(name));
}

/// <summary>Gates that answer what the test says, by gate name; a gate not named is open.</summary>
public sealed class FakeGates(List<string> log) : IGateKeeper
{
    public Dictionary<string, GateVerdict> Verdicts { get; } = new(StringComparer.Ordinal);

    public Task<GateOutcome> AskAsync(GateSpec gate, RolloutPlan plan, RolloutStatus status, CancellationToken cancellationToken)
    {
        var verdict = Verdicts.GetValueOrDefault(gate.Name, GateVerdict.Open);
        log.Add($"gate {gate.Name} {verdict}");
        return Task.FromResult(new GateOutcome(verdict, $"gate {gate.Name} answered {verdict}"));
    }
}

public sealed class InMemoryStore(RolloutPlan plan, List<string> log) : IRolloutStore
{
    public RolloutStatus Status { get; set; } = new();

    /// <summary>The stored plan; tests replace it as a person editing the resource would.</summary>
    public RolloutPlan Plan { get; set; } = plan;

    public Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<StoredRollout>>([Stored()]);

    public Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
        Task.FromResult(namespaceName == Plan.Namespace && name == Plan.Metadata.Name ? Stored() : null);

    public Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken)
    {
        Status = change(Status);
        log.Add($"status {Status.Phase} {Status.CanaryWeight}%");
        return Task.FromResult(Status);
    }

    private StoredRollout Stored() => new(Plan.Namespace, Plan.Metadata.Name, Plan, [], Status, 1, "1");
}

public sealed class FakeRouter(List<string> log) : ITrafficRouter
{
    /// <summary>The live canary weight, as the mesh holds it; tests change it to simulate someone else's edit.</summary>
    public int LiveWeight { get; set; }

    /// <summary>Throws on the next apply, as a cluster outage would.</summary>
    public bool FailNextApply { get; set; }

    /// <summary>Refuses every apply of a canary weight at least this, as for a resource not as the plan needs it; never when null.</summary>
    public int? RefuseFrom { get; set; }

    public Task<TrafficObservation> ObserveAsync(RolloutPlan plan, CancellationToken cancellationToken) =>
        Task.FromResult(Observation());

    public Task<TrafficObservation> ApplyAsync(RolloutPlan plan, TrafficIntent intent, CancellationToken cancellationToken)
    {
        if (FailNextApply)
        {
            FailNextApply = false;
            throw new HttpRequestException("cluster unreachable");
        }

        if (intent.CanaryWeight >= RefuseFrom)
        {
            log.Add($"refused {intent.CanaryWeight}%");
            throw new TrafficRoutingException("VirtualService bookinfo/ratings does not exist");
        }

        LiveWeight = intent.CanaryWeight;
        log.Add($"traffic {intent.CanaryWeight}%");
        return Task.FromResult(Observation());
    }

    public Task<TrafficObservation> FinalizeAsync(RolloutPlan plan, bool promoted, CancellationToken cancellationToken)
    {
        LiveWeight = promoted ? 100 : 0;
        log.Add($"final {LiveWeight}%");
        return Task.FromResult(Observation());
    }

    private TrafficObservation Observation() => new([new RouteSplit("bookinfo/reviews", "primary", 100 - LiveWeight, LiveWeight, false, null)]);
}

/// <summary>
/// Every query answers <see cref="Value"/>, a count (<c>increase(</c>) 1000, or fails when <see cref="Down"/>. With
/// <see cref="CanaryWeight"/>, the two versions' request volumes split 1000 requests by the live weight, as a mesh would.
/// </summary>
public sealed class FakeMetrics : IMetricsProvider
{
    public double Value { get; set; } = 99.9;

    public bool Down { get; set; }

    /// <summary>The canary's live weight, which the request volumes follow; unset, each side served 1000.</summary>
    public Func<int>? CanaryWeight { get; init; }

    public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken) => Task.FromResult(
        Down ? Measurement.Failed(query, ProviderErrorKind.Unreachable, "connection refused")
        : Measurement.Of(query, [Sample.Scalar(Answer(query))]));

    private double Answer(string query)
    {
        if (!query.Contains("increase(", StringComparison.Ordinal))
        {
            return Value;
        }

        var volume = query.StartsWith("sum(increase(istio_requests_total{", StringComparison.Ordinal) && !query.Contains("response_code", StringComparison.Ordinal);
        if (!volume || CanaryWeight is null)
        {
            return 1000;
        }

        var weight = CanaryWeight();
        return query.Contains("\"reviews-v1\"", StringComparison.Ordinal) ? 10 * (100 - weight) : 10 * weight;
    }
}

public sealed class RecordingAnnouncer(List<string> log) : IAnnouncer
{
    public List<Announce> Announced { get; } = [];

    public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        Announced.Add(announcement);
        log.Add($"announce {announcement.Type}");
        return Task.CompletedTask;
    }
}
