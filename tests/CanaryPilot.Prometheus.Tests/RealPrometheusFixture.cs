using CanaryPilot.Core.Analysis;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>
/// The real <c>prometheus</c> binary on a free loopback port, scraping an <see cref="IstioExporter"/> every
/// second, ready once a full window of samples is stored. Shared by the tests of one collection; stopped
/// and its files deleted at the end.
/// </summary>
public sealed class RealPrometheusFixture : IAsyncLifetime
{
    public const string Namespace = "shop";

    /// <summary>Names that would break out of a label matcher if they were written into a query unescaped.</summary>
    public static readonly string[] CraftedNames = ["evil\"} or vector(1) #", @"a\b", "x|y", ".*", "close}{open", "quote\"back\\slash"];

    /// <summary>A namespace that would widen every query to all namespaces if it were not escaped.</summary>
    public const string CraftedNamespace = "shop\", destination_workload_namespace!=\"";

    private static readonly Dictionary<string, double> Healthy = new() { ["200"] = 1.0 };

    /// <summary>
    /// The instant the tests evaluate at: the timestamp of a sample Prometheus has surely stored. At "now"
    /// the newest scrape may still be in flight, or (on a busy machine) seconds late, and rate() then
    /// extrapolates only part of an interval towards the window's end and reads low; at a stored sample's
    /// own timestamp the window ends on a sample, however late the scrapes run.
    /// </summary>
    public DateTimeOffset Settled => Exporter.Stored;

    public IstioExporter Exporter { get; private set; } = null!;

    public PrometheusServer Server { get; private set; } = null!;

    public PrometheusClient Client { get; private set; } = null!;

    public IMetricsProvider Provider { get; private set; } = null!;

    /// <summary>The workloads: stable, canary, an idle one, decoys, and crafted names with their own request rates.</summary>
    public static IReadOnlyList<IstioWorkload> Workloads()
    {
        var workloads = new List<IstioWorkload>
        {
            // 20 req/s, 1% 503; latency at exactly the bounds: p50 25ms, p95 100ms, p99 250ms.
            new(Namespace, "reviews-v1", "v1", 20, new Dictionary<string, double> { ["200"] = 0.99, ["503"] = 0.01 }, [0.2, 0.5, 0.8, 0.95, 0.99, 1.0, 1.0]),
            // 10 req/s, 2% 404 (not a failure), 5% 503; latency between bounds, so histogram_quantile interpolates.
            new(Namespace, "reviews-v2", "v2", 10, new Dictionary<string, double> { ["200"] = 0.93, ["404"] = 0.02, ["503"] = 0.05 }, [0.1, 0.3, 0.4, 0.6, 0.9, 0.975, 1.0]),
            // Series exist, but no request ever arrives.
            new(Namespace, "ratings-v1", "v1", 0, Healthy, [0, 0, 0, 0, 0, 0, 0]),
            // Decoys that a crafted name such as "x|y" or ".*" would match if it were read as a pattern.
            new(Namespace, "x", "v1", 1, Healthy, [1, 1, 1, 1, 1, 1, 1]),
            new(Namespace, "y", "v1", 2, Healthy, [1, 1, 1, 1, 1, 1, 1]),
            new(CraftedNamespace, "reviews-v2", "v2", 9, Healthy, [1, 1, 1, 1, 1, 1, 1]),
        };
        for (var i = 0; i < CraftedNames.Length; i++)
        {
            workloads.Add(new IstioWorkload(Namespace, CraftedNames[i], "v1", 3 + i, Healthy, [1, 1, 1, 1, 1, 1, 1]));
        }

        return workloads;
    }

    public async Task InitializeAsync()
    {
        Exporter = await IstioExporter.StartAsync(Workloads());
        Server = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [Exporter.MetricsUrl] });
        Client = PrometheusClient.Create(new PrometheusClientOptions { Address = Server.Address, RetryDelay = TimeSpan.FromMilliseconds(50) }, TimeProvider.System);
        Provider = new PrometheusMetricsProvider(Client);

        // A window is fully covered once there are more samples than fit in it (one per second); the
        // tests read windows up to three seconds back (Settled), so wait for a few seconds more.
        var coverage = $"count_over_time(istio_requests_total{{destination_workload_namespace=\"{Namespace}\", destination_workload=\"reviews-v2\", response_code=\"200\", reporter=\"destination\"}}[{Plans.Window.TotalSeconds * 2}s])";
        try
        {
            await Eventually.TrueAsync(
                async () => (await Provider.MeasureAsync(coverage, TimeProvider.System.GetUtcNow(), CancellationToken.None)).Samples is [{ Value: var n }] && n >= Plans.Window.TotalSeconds + 8,
                "Prometheus to hold a full window of samples",
                TimeSpan.FromSeconds(90));
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        await Exporter.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RealPrometheusGroup : ICollectionFixture<RealPrometheusFixture>
{
    public const string Name = "real prometheus";
}
