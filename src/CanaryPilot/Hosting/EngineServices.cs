using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Istio;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Prometheus;
using CanaryPilot.Scheduling;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Hosting;

/// <summary>The rollout engine's composition: cluster adapters, Prometheus, the reconciler and its scheduler.</summary>
public static class EngineServices
{
    public static IServiceCollection AddRolloutEngine(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Time);
        services.AddSingleton<IKubernetes>(_ => KubernetesClients.Create(settings.Cluster, settings.Outbound?.Invoke("kubernetes")));
        services.AddSingleton(settings.Kubernetes);
        services.AddSingleton(settings.Store);
        services.AddSingleton(sp => KubernetesResilience.Create(settings.Kubernetes, settings.Time));
        services.AddSingleton(sp => new CustomObjects(sp.GetRequiredService<IKubernetes>(), KubernetesResilience.Create(settings.Kubernetes, settings.Time), settings.Kubernetes));
        services.AddSingleton<ITrafficRouter, IstioTrafficRouter>();
        services.AddSingleton<KubernetesRolloutStore>();
        services.AddSingleton<IRolloutStore>(sp => sp.GetRequiredService<KubernetesRolloutStore>());
        services.AddSingleton<ISecretResolver>(sp => new KubernetesSecretResolver(sp.GetRequiredService<IKubernetes>(), KubernetesResilience.Create(settings.Kubernetes, settings.Time), settings.LocalSecrets));
        services.AddSingleton<LoggingAnnouncer>();
        services.AddNotifications();
        services.AddSingleton(sp => new KubernetesEventAnnouncer(sp.GetRequiredService<IKubernetes>(), KubernetesResilience.Create(settings.Kubernetes, settings.Time), settings.Time, settings.Instance));
        services.AddSingleton<IAnnouncer>(sp => new CompositeAnnouncer(
            [sp.GetRequiredService<LoggingAnnouncer>(), sp.GetRequiredService<KubernetesEventAnnouncer>(), .. sp.GetServices<IRolloutObserver>()]));
        services.AddSingleton<AnalyzerFactory>();
        services.AddSingleton(sp => new RolloutReconciler(
            sp.GetRequiredService<IRolloutStore>(),
            sp.GetRequiredService<ITrafficRouter>(),
            sp.GetRequiredService<AnalyzerFactory>().ForAsync,
            sp.GetRequiredService<IAnnouncer>(),
            settings.Time,
            sp.GetRequiredService<IGateKeeper>()));
        services.AddSingleton<RolloutProgress>();
        services.AddSingleton<RolloutScheduler>();
        services.AddQuartz(q =>
        {
            q.UseTimeProvider(settings.Time);
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = settings.MaxConcurrentReconciles);
        });
        return services;
    }
}

/// <summary>An announcer that watches the rollout for a person (the CLI's live view); any number may be registered.</summary>
public interface IRolloutObserver : IAnnouncer;

/// <summary>
/// The analyzer of each rollout. Rollouts whose Prometheus connections are alike (address, credentials,
/// timeouts) share one client — its connections, circuit breaker, and one request per identical query of
/// one instant — so thousands of rollouts do not open thousands of connections. A plan's secrets are
/// read when its connection is first needed.
/// </summary>
internal sealed class AnalyzerFactory(EngineSettings settings, ISecretResolver secrets) : IDisposable
{
    private readonly ConcurrentDictionary<string, Connection> _byRollout = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Connection>> _byConnection = new(StringComparer.Ordinal);

    public async ValueTask<Analyzer> ForAsync(StoredRollout rollout, CancellationToken cancellationToken)
    {
        var plan = rollout.Plan!;
        var spec = plan.Spec.Analysis.Prometheus;
        var address = settings.Prometheus ?? (spec.Address is { } configured
            ? new Uri(configured)
            : throw new InvalidOperationException($"rollout plan {rollout.Namespace}/{rollout.Name} names no Prometheus address (spec.analysis.prometheus.address) and none was given"));
        var key = $"{rollout.Namespace}/{rollout.Name}@{address}";
        if (!_byRollout.TryGetValue(key, out var connection))
        {
            var options = await PrometheusConnection.OptionsAsync(spec, address, plan.Namespace, secrets, cancellationToken);
            var connectionKey = options.ConnectionKey();
            var shared = _byConnection.GetOrAdd(connectionKey, _ => new Lazy<Connection>(() =>
            {
                var client = PrometheusClient.Create(options, settings.Time, settings.Outbound?.Invoke("prometheus"));
                return new Connection(client, new DeduplicatingMetricsProvider(new PrometheusMetricsProvider(client), settings.Time, TimeSpan.FromMinutes(5)));
            }));
            try
            {
                connection = shared.Value;
            }
            catch
            {
                // A client that could not be made (an unreadable CA file, say) is tried again next tick.
                _byConnection.TryRemove(new KeyValuePair<string, Lazy<Connection>>(connectionKey, shared));
                throw;
            }

            _byRollout[key] = connection;
        }

        return new Analyzer(connection.Provider, rollout.Templates ?? TemplateCatalog.BuiltIn());
    }

    public void Dispose()
    {
        foreach (var connection in _byConnection.Values.Where(c => c.IsValueCreated))
        {
            connection.Value.Client.Dispose();
        }
    }

    private sealed record Connection(PrometheusClient Client, IMetricsProvider Provider);
}
