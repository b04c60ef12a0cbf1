using Prometheus;

namespace CanaryPilot.Sandbox.Mesh;

/// <summary>
/// The standard Istio metrics as the sidecars (or an ambient waypoint) report them — <c>istio_requests_total</c> and
/// <c>istio_request_duration_milliseconds</c> with Istio's labels and buckets, from both the
/// destination's and the source's proxy — in a registry of their own.
/// </summary>
public sealed class IstioMetrics
{
    private static readonly string[] Labels =
    [
        "reporter", "source_workload", "source_workload_namespace", "source_app", "source_version",
        "destination_workload", "destination_workload_namespace", "destination_app", "destination_version",
        "destination_service", "destination_service_name", "destination_service_namespace",
        "request_protocol", "response_code", "response_flags", "connection_security_policy",
    ];

    /// <summary>Istio's default buckets for request durations, in milliseconds.</summary>
    private static readonly double[] Buckets = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

    private readonly Counter _requests;
    private readonly Histogram _durations;

    public IstioMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _requests = factory.CreateCounter("istio_requests_total", "Requests handled by the mesh.", new CounterConfiguration { LabelNames = Labels });
        _durations = factory.CreateHistogram("istio_request_duration_milliseconds", "Request durations in milliseconds.", new HistogramConfiguration { LabelNames = Labels, Buckets = Buckets });
    }

    public CollectorRegistry Registry { get; }

    private static readonly string[] Sidecars = ["destination", "source"];
    private static readonly string[] Waypoint = ["waypoint"];

    /// <summary>
    /// Records one request as the mesh reports it: in sidecar mode both proxies, in ambient mode the waypoint once
    /// (ztunnel reports only TCP metrics).
    /// </summary>
    public void Record(MeshIdentity source, MeshIdentity destination, string serviceHost, string serviceNamespace, int code, double durationMs, bool ambient = false)
    {
        foreach (var reporter in ambient ? Waypoint : Sidecars)
        {
            string[] values =
            [
                reporter, source.Workload, source.Namespace, source.App, source.Version,
                destination.Workload, destination.Namespace, destination.App, destination.Version,
                serviceHost, serviceHost.Split('.')[0], serviceNamespace,
                "http", code.ToString(System.Globalization.CultureInfo.InvariantCulture), code >= 500 ? "URX" : "-",
                reporter == "source" ? "unknown" : "mutual_tls",
            ];
            _requests.WithLabels(values).Inc();
            _durations.WithLabels(values).Observe(durationMs);
        }
    }
}

/// <summary>A workload as Istio's labels name it.</summary>
public sealed record MeshIdentity(string Workload, string Namespace, string App, string Version);
