using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Prometheus;

namespace CanaryPilot.Hosting;

/// <summary>
/// The analyzer of each rollout, at each tick. Its Prometheus connection is keyed by everything that
/// makes it — address, the credentials as its secrets read now, headers, TLS, timeouts — so an edited
/// plan or a rotated Secret is used at the next tick. Rollouts whose connections are alike share one
/// client (its connections, circuit breaker, and one request per identical query of one instant), so
/// thousands of rollouts do not open thousands of connections; a client no rollout has used for an hour
/// is closed.
/// </summary>
internal sealed class AnalyzerFactory(EngineSettings settings, ISecretResolver secrets) : IDisposable
{
    private static readonly TimeSpan Idle = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, Lazy<Connection>> _byConnection = new(StringComparer.Ordinal);
    private long _lastSweep;

    public async ValueTask<Analyzer> ForAsync(StoredRollout rollout, CancellationToken cancellationToken) =>
        new((await ConnectionAsync(rollout, cancellationToken)).Provider, TemplatesOf(rollout));

    /// <summary>
    /// The rollout's Prometheus without the shared answers of <see cref="ForAsync"/>'s provider: for the
    /// continuous guard, whose answers (every workload's series) are shared within one look and then dropped.
    /// </summary>
    public async ValueTask<IMetricsProvider> DirectProviderAsync(StoredRollout rollout, CancellationToken cancellationToken) =>
        (await ConnectionAsync(rollout, cancellationToken)).Direct;

    /// <summary>The templates the rollout's plan was validated against.</summary>
    public static TemplateCatalog TemplatesOf(StoredRollout rollout) => rollout.Templates ?? TemplateCatalog.BuiltIn();

    private async ValueTask<Connection> ConnectionAsync(StoredRollout rollout, CancellationToken cancellationToken)
    {
        var plan = rollout.Plan!;
        var spec = plan.Spec.Analysis.Prometheus;
        var address = settings.Prometheus ?? (spec.Address is { } configured
            ? new Uri(configured)
            : throw new InvalidOperationException($"rollout plan {rollout.Namespace}/{rollout.Name} names no Prometheus address (spec.analysis.prometheus.address) and none was given"));
        var options = await PrometheusConnection.OptionsAsync(spec, address, plan.Namespace, secrets, cancellationToken);
        var key = options.ConnectionKey();
        var shared = _byConnection.GetOrAdd(key, _ => new Lazy<Connection>(() =>
        {
            var client = PrometheusClient.Create(options, settings.Time, settings.Outbound?.Invoke("prometheus"));
            var direct = new PrometheusMetricsProvider(client);
            return new Connection(client, new DeduplicatingMetricsProvider(direct, settings.Time, TimeSpan.FromMinutes(5)), direct);
        }));
        Connection connection;
        try
        {
            connection = shared.Value;
        }
        catch
        {
            // A client that could not be made (an unreadable CA file, say) is tried again next tick.
            _byConnection.TryRemove(new KeyValuePair<string, Lazy<Connection>>(key, shared));
            throw;
        }

        connection.Used(settings.Time.GetTimestamp());
        CloseIdle();
        return connection;
    }

    public void Dispose()
    {
        foreach (var connection in _byConnection.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Client.Dispose();
        }
    }

    /// <summary>At most once a minute: closes the clients of settings no rollout uses any more (an old token, an edited header).</summary>
    private void CloseIdle()
    {
        var now = settings.Time.GetTimestamp();
        var last = Interlocked.Read(ref _lastSweep);
        if (settings.Time.GetElapsedTime(last, now) < TimeSpan.FromMinutes(1) || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, connection) in _byConnection)
        {
            if (connection.IsValueCreated && settings.Time.GetElapsedTime(connection.Value.LastUsed, now) > Idle && _byConnection.TryRemove(new KeyValuePair<string, Lazy<Connection>>(key, connection)))
            {
                connection.Value.Client.Dispose();
            }
        }
    }

    private sealed class Connection(PrometheusClient client, IMetricsProvider provider, IMetricsProvider direct)
    {
        private long _lastUsed;

        public PrometheusClient Client => client;

        public IMetricsProvider Provider => provider;

        public IMetricsProvider Direct => direct;

        public long LastUsed => Interlocked.Read(ref _lastUsed);

        public void Used(long timestamp) => Interlocked.Exchange(ref _lastUsed, timestamp);
    }
}
