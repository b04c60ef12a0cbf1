using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// A <c>/metrics</c> endpoint on a free loopback port that exposes Istio's standard metrics for the given
/// workloads, as the server-side proxy (<c>reporter="destination"</c>) sees them. Counters grow linearly
/// with real time from the moment the exporter starts, so every rate() over them is exactly the
/// configured one; each sample carries the timestamp its value was computed for, so a scrape answered
/// late (a busy test machine) does not bend the line. Each workload is also reported by the client-side proxy (<c>reporter="source"</c>)
/// with every request failing, so a query that ignores the reporter label gives visibly wrong numbers.
/// </summary>
public sealed class IstioExporter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IReadOnlyList<IstioWorkload> _workloads;
    private readonly DateTimeOffset _started = TimeProvider.System.GetUtcNow();

    // The timestamps (Unix ms) of the two newest expositions served: Prometheus has stored the older one
    // for sure, since it is already scraping again.
    private readonly Lock _served = new();
    private long _newest;
    private long _previous;

    /// <summary>The timestamp of the newest sample Prometheus has surely stored: the exposition before the latest.</summary>
    public DateTimeOffset Stored
    {
        get
        {
            lock (_served)
            {
                return DateTimeOffset.FromUnixTimeMilliseconds(_previous);
            }
        }
    }

    private IstioExporter(WebApplication app, IReadOnlyList<IstioWorkload> workloads)
    {
        _app = app;
        _workloads = workloads;
    }

    public required Uri MetricsUrl { get; init; }

    public static async Task<IstioExporter> StartAsync(IReadOnlyList<IstioWorkload> workloads)
    {
        IstioExporter? exporter = null;
        var (app, address) = await Sandbox.LoopbackServer.StartAsync(context =>
        {
            if (exporter is null)
            {
                context.Response.StatusCode = 503;
                return Task.CompletedTask;
            }

            context.Response.ContentType = "text/plain; version=0.0.4";
            return context.Response.WriteAsync(exporter.Exposition(), context.RequestAborted);
        });
        exporter = new IstioExporter(app, workloads) { MetricsUrl = new Uri(address, "/metrics") };
        return exporter;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private string Exposition()
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        lock (_served)
        {
            (_previous, _newest) = (_newest, now);
        }

        var seconds = (now - _started.ToUnixTimeMilliseconds()) / 1000.0;
        var stamp = $" {now}\n";
        var text = new StringBuilder();
        text.Append("# TYPE istio_requests_total counter\n");
        foreach (var w in _workloads)
        {
            var total = w.RequestsPerSecond * seconds;
            foreach (var (code, share) in w.ResponseCodes)
            {
                text.Append(CultureInfo.InvariantCulture, $"istio_requests_total{{{Labels(w, "destination", code)}}} {Number(total * share)}{stamp}");
            }

            text.Append(CultureInfo.InvariantCulture, $"istio_requests_total{{{Labels(w, "source", "503")}}} {Number(total)}{stamp}");
        }

        text.Append("# TYPE istio_request_duration_milliseconds histogram\n");
        foreach (var w in _workloads)
        {
            var total = w.RequestsPerSecond * seconds;
            AppendHistogram(text, Labels(w, "destination", "200"), total, w.CumulativeLatency, stamp);
            AppendHistogram(text, Labels(w, "source", "200"), total, [.. IstioWorkload.Buckets.Select(_ => 0.0)], stamp);
        }

        return text.ToString();
    }

    private static void AppendHistogram(StringBuilder text, string labels, double total, IReadOnlyList<double> cumulative, string stamp)
    {
        for (var i = 0; i < IstioWorkload.Buckets.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"istio_request_duration_milliseconds_bucket{{{labels},le=\"{Number(IstioWorkload.Buckets[i])}\"}} {Number(total * cumulative[i])}{stamp}");
        }

        text.Append(CultureInfo.InvariantCulture, $"istio_request_duration_milliseconds_bucket{{{labels},le=\"+Inf\"}} {Number(total)}{stamp}");
        text.Append(CultureInfo.InvariantCulture, $"istio_request_duration_milliseconds_sum{{{labels}}} {Number(total * 100)}{stamp}");
        text.Append(CultureInfo.InvariantCulture, $"istio_request_duration_milliseconds_count{{{labels}}} {Number(total)}{stamp}");
    }

    private static string Labels(IstioWorkload w, string reporter, string code) =>
        $"reporter=\"{reporter}\",source_workload=\"productpage-v1\",destination_workload=\"{Escape(w.Name)}\","
        + $"destination_workload_namespace=\"{Escape(w.Namespace)}\",destination_service=\"{Escape(w.Service)}\","
        + $"destination_version=\"{Escape(w.Version)}\",response_code=\"{code}\"";

    /// <summary>The text exposition format's escapes for label values.</summary>
    private static string Escape(string value) => value.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
