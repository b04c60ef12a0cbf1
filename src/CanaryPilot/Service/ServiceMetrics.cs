using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using Prometheus;

namespace CanaryPilot.Service;

/// <summary>The service's own metrics, all in one place and all named <c>canarypilot_…</c>, in a registry of their own.</summary>
public sealed class ServiceMetrics : IErrorCounter
{
    private readonly Counter _errors;
    private readonly Gauge _phase;
    private readonly Gauge _weight;
    private readonly Counter _analyses;
    private readonly Histogram _durations;
    private readonly Gauge _leader;
    private readonly Counter _reconcileFailures;
    private readonly Histogram _outbound;
    private readonly Dictionary<string, RolloutPhase> _phases = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _countedAnalyses = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ServiceMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _phase = factory.CreateGauge("canarypilot_rollouts", "Rollouts by phase.", new GaugeConfiguration { LabelNames = ["phase"] });
        _weight = factory.CreateGauge("canarypilot_canary_weight", "The canary's share of traffic, per rollout.", new GaugeConfiguration { LabelNames = ["namespace", "rollout"] });
        _analyses = factory.CreateCounter("canarypilot_analysis_results_total", "Metric verdicts, by metric and outcome.", new CounterConfiguration { LabelNames = ["namespace", "rollout", "metric", "verdict"] });
        _durations = factory.CreateHistogram("canarypilot_rollout_duration_seconds", "How long finished rollouts took.", new HistogramConfiguration
        {
            LabelNames = ["outcome"],
            Buckets = Histogram.ExponentialBuckets(30, 2, 10),
        });
        _leader = factory.CreateGauge("canarypilot_leader", "1 when this replica leads and drives rollouts.");
        _errors = factory.CreateCounter("canarypilot_errors_total", "Failures caught and handled (each also logged), by the component that caught them.", new CounterConfiguration { LabelNames = ["component"] });
        _reconcileFailures = factory.CreateCounter("canarypilot_reconcile_failures_total", "Reconciles that failed (the cluster or Prometheus unreachable); retried next interval.");
        _outbound = factory.CreateHistogram("canarypilot_outbound_request_duration_seconds", "HTTP calls to the Kubernetes API and Prometheus, by target, verb and resource (get, list, watch, create, update, patch, delete of rolloutplans, leases, … for Kubernetes; the HTTP method and query for Prometheus) and outcome (2xx, 4xx, 5xx or error).", new HistogramConfiguration
        {
            LabelNames = ["target", "verb", "resource", "outcome"],
            Buckets = Histogram.ExponentialBuckets(0.005, 2, 12),
        });
    }

    /// <summary>A handler that times every HTTP call to <paramref name="target"/> (<c>kubernetes</c>, <c>prometheus</c>).</summary>
    public DelegatingHandler Outbound(string target, TimeProvider time) => new OutboundCallHandler(_outbound, target, time);

    public CollectorRegistry Registry { get; }

    public void Observe(string namespaceName, string name, RolloutStatus status)
    {
        _weight.WithLabels(namespaceName, name).Set(status.CanaryWeight);
        var key = $"{namespaceName}/{name}";
        lock (_lock)
        {
            // The same analysis shows up in every status written after it; count it once.
            if (status.LastAnalysis is { } analysis && (!_countedAnalyses.TryGetValue(key, out var counted) || counted != analysis.Time))
            {
                _countedAnalyses[key] = analysis.Time;
                foreach (var metric in status.Metrics)
                {
                    _analyses.WithLabels(namespaceName, name, metric.Name, metric.Verdict).Inc();
                }
            }

            if (_phases.TryGetValue(key, out var before) && before == status.Phase)
            {
                return;
            }

            if (_phases.ContainsKey(key))
            {
                _phase.WithLabels(before.ToString()).Dec();
            }

            _phases[key] = status.Phase;
            _phase.WithLabels(status.Phase.ToString()).Inc();
        }

        if (RolloutMachine.IsTerminal(status.Phase) && status is { StartedAt: { } started, FinishedAt: { } finished })
        {
            _durations.WithLabels(status.Phase.ToString()).Observe((finished - started).TotalSeconds);
        }
    }

    public void Leading(bool leading) => _leader.Set(leading ? 1 : 0);

    public void ReconcileFailed() => _reconcileFailures.Inc();

    public void Count(string component) => _errors.WithLabels(component).Inc();
}

/// <summary>Times each call and files it under its outcome; a call that throws counts as <c>error</c> (timeouts and cancellations included).</summary>
internal sealed class OutboundCallHandler(Histogram calls, string target, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var outcome = "error";
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            outcome = $"{(int)response.StatusCode / 100}xx";
            return response;
        }
        finally
        {
            var (verb, resource) = target == "kubernetes" ? KubernetesRequests.Of(request) : (request.Method.Method.ToLowerInvariant(), "query");
            calls.WithLabels(target, verb, resource, outcome).Observe(time.GetElapsedTime(started).TotalSeconds);
        }
    }
}
