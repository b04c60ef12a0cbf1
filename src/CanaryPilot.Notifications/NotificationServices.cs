using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Notifications.Delivery;
using CanaryPilot.Notifications.Gates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;
using Prometheus;

namespace CanaryPilot.Notifications;

/// <summary>
/// Notifications and gates for the engine. Needs an <see cref="ISecretResolver"/>, a <see cref="TimeProvider"/>
/// and logging; counts into the registered <see cref="CollectorRegistry"/> (a private one unless the
/// host registers the one it exports). Its pipelines come from the registered
/// <see cref="ResiliencePipelineProvider{TKey}"/>, under <see cref="NotificationResilience"/>'s keys (a
/// registry of its own unless the host registers one that has them).
/// </summary>
public static class NotificationServices
{
    /// <summary>The HTTP client shared by notifiers and gates, as a keyed service.</summary>
    public const string HttpClientKey = "canarypilot-notifications";

    public static IServiceCollection AddNotifiers(this IServiceCollection services, NotificationOptions? options = null)
    {
        options = (options ?? new NotificationOptions()).Validated();
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<ResiliencePipelineProvider<string>>(sp =>
            NotificationResilience.AddTo(new ResiliencePipelineRegistry<string>(), options, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(options);
        services.AddKeyedSingleton(HttpClientKey, (_, _) => CreateHttpClient());
        services.AddSingleton(sp => new NotificationMetrics(sp.GetRequiredService<CollectorRegistry>()));
        services.AddSingleton(sp => new NotificationSender(
            new NotifierFactory(sp.GetRequiredService<ISecretResolver>(), sp.GetRequiredKeyedService<HttpClient>(HttpClientKey)),
            sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline<DeliveryAttempt>(NotificationResilience.DeliveryKey),
            sp.GetRequiredService<NotificationMetrics>(),
            sp.GetRequiredService<ILogger<NotificationSender>>()));
        services.AddSingleton<NotifyingAnnouncer>();
        services.AddSingleton<IGateKeeper>(sp => new HttpGateKeeper(
            sp.GetRequiredKeyedService<HttpClient>(HttpClientKey),
            sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(NotificationResilience.GateKey),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// One client for every receiver: no timeout of its own (the pipelines time each attempt), no
    /// redirects (a signed event or a token must not follow one elsewhere), connections renewed so DNS
    /// changes are seen.
    /// </summary>
    public static HttpClient CreateHttpClient()
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd("CanaryPilot/0.1");
        return client;
    }
}
