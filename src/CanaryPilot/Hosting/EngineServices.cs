using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Caching;
using CanaryPilot.Kubernetes.GatewayApi;
using CanaryPilot.Kubernetes.Istio;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Notifications;
using CanaryPilot.Scheduling;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;
using Quartz;

namespace CanaryPilot.Hosting;

/// <summary>The rollout engine's composition: cluster adapters, Prometheus, the reconciler and its scheduler.</summary>
public static class EngineServices
{
    public static IServiceCollection AddRolloutEngine(this IServiceCollection services, EngineSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton(settings.Time);
        services.AddSingleton(settings.Errors);
        services.AddSingleton(settings.Rule);
        services.AddSingleton<IKubernetes>(_ => KubernetesClients.Create(settings.Cluster, settings.Component, settings.Outbound?.Invoke("kubernetes")));
        services.AddSingleton(settings.Kubernetes);
        // One registry of the engine's resilience pipelines, by key: Kubernetes requests and watches,
        // notification deliveries and gates. (Each Prometheus connection has a pipeline of its own: its
        // circuit breaker is that server's, and its settings are the plan's.)
        services.AddSingleton<ResiliencePipelineProvider<string>>(_ =>
            NotificationResilience.AddTo(KubernetesResilience.Registry(settings.Kubernetes, settings.Time), settings.Notifications, settings.Time));
        services.AddSingleton(sp => sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(KubernetesResilience.PipelineKey));
        if (settings.Watch)
        {
            var scope = new WatchScope(
                [CanaryPilotResources.RolloutPlans, CanaryPilotResources.AnalysisTemplates, .. MeshTrafficRouter.Kinds(settings.Kubernetes), .. KubernetesWorkloadReader.Kinds],
                settings.Namespaces,
                Optional: HttpRouteTrafficRouter.Kinds(settings.Kubernetes));
            services.AddSingleton(sp => new WatchCache(
                sp.GetRequiredService<IKubernetes>(), scope, sp.GetRequiredService<ResiliencePipelineProvider<string>>(), settings.Errors, settings.Time, sp.GetRequiredService<ILogger<WatchCache>>()));
        }

        services.AddSingleton(sp => new CustomObjects(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ResiliencePipeline>(), settings.Kubernetes, sp.GetService<WatchCache>()));
        services.AddSingleton<IstioTrafficRouter>();
        services.AddSingleton<HttpRouteTrafficRouter>();
        services.AddSingleton<ITrafficRouter, MeshTrafficRouter>();
        services.AddSingleton<PlanReader>();
        services.AddSingleton<IWorkloadReader, KubernetesWorkloadReader>();
        services.AddSingleton(_ =>
        {
            var store = new RolloutStoreOptions();
            foreach (var ns in settings.Namespaces)
            {
                store.Namespaces.Add(ns);
            }

            return store;
        });
        services.AddSingleton<KubernetesRolloutStore>();
        services.AddSingleton<IRolloutStore>(sp => sp.GetRequiredService<KubernetesRolloutStore>());
        services.AddSingleton<ISecretResolver>(sp => new KubernetesSecretResolver(sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ResiliencePipeline>(), settings.LocalSecrets));
        services.AddSingleton<LoggingAnnouncer>();
        services.AddNotifications(settings.Notifications);
        services.AddSingleton(sp => new KubernetesEventAnnouncer(
            sp.GetRequiredService<IKubernetes>(), sp.GetRequiredService<ResiliencePipeline>(), settings.Time, settings.Instance, settings.Errors, sp.GetRequiredService<ILogger<KubernetesEventAnnouncer>>()));
        services.AddSingleton<IAnnouncer>(sp => new CompositeAnnouncer(
            [sp.GetRequiredService<LoggingAnnouncer>(), sp.GetRequiredService<KubernetesEventAnnouncer>(), .. sp.GetServices<IRolloutObserver>()]));
        services.AddSingleton<AnalyzerFactory>();
        services.AddSingleton(sp => new RolloutReconciler(
            sp.GetRequiredService<IRolloutStore>(),
            sp.GetRequiredService<ITrafficRouter>(),
            sp.GetRequiredService<AnalyzerFactory>().ForAsync,
            sp.GetRequiredService<IAnnouncer>(),
            settings.Time,
            sp.GetRequiredService<IGateKeeper>(),
            Refusal(settings.Rule),
            sp.GetRequiredService<IWorkloadReader>()));
        services.AddSingleton<RolloutProgress>();
        services.AddSingleton<RolloutScheduler>();
        services.AddSingleton<GuardCandidates>();
        services.AddSingleton(sp => new ContinuousGuard(
            sp.GetRequiredService<GuardCandidates>(),
            sp.GetRequiredService<IRolloutStore>(),
            sp.GetRequiredService<AnalyzerFactory>(),
            sp.GetRequiredService<RolloutReconciler>(),
            sp.GetRequiredService<RolloutProgress>(),
            settings,
            sp.GetRequiredService<ILogger<ContinuousGuard>>(),
            sp.GetService<WatchCache>() is { } cache ? (ns, name) => cache.VersionOf(CanaryPilotResources.RolloutPlan(ns, name)) : null));
        services.AddQuartz(q =>
        {
            q.UseTimeProvider(settings.Time);
            q.UseDefaultThreadPool(pool => pool.MaxConcurrency = settings.MaxConcurrentReconciles);
            // Take every trigger already due in one round (none early): one at a time, the scheduler's
            // own thread fired at most about 500 ticks a second, and 10,000 rollouts every 10 s fell behind.
            q.ConfigureScheduler(scheduler => scheduler.MaxBatchSize = settings.MaxConcurrentReconciles);
        });
        return services;
    }

    /// <summary>Why <paramref name="rule"/> does not let this engine drive a rollout, or null when it does.</summary>
    public static Func<StoredRollout, string?> Refusal(DrivingRule rule) => stored =>
        rule.Check(stored.Namespace, stored.DrivenBy) is var refusal and not DrivingRule.Refusal.None ? rule.Explain(refusal, stored.Namespace) : null;
}

/// <summary>An announcer that watches the rollout for a person (the CLI's live view); any number may be registered.</summary>
public interface IRolloutObserver : IAnnouncer;
