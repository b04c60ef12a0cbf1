using System.Net;
using k8s.Autorest;
using CanaryPilot.Kubernetes.Caching;
using Polly;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// The resilience pipelines of Kubernetes API calls. Requests: a timeout per attempt inside retries
/// with exponential backoff and jitter, for what is safe to repeat — 5xx, 429, timeouts and dropped
/// connections; other 4xx answers are the caller's to handle (a 409 is re-read and re-applied).
/// Watches: reconnect after any failure, backing off from 1 s to 30 s, for as long as the process runs.
/// </summary>
public static class KubernetesResilience
{
    public const string PipelineKey = "canarypilot-kubernetes";

    /// <summary>The Kubernetes pipelines by key: <see cref="PipelineKey"/> for requests, <see cref="WatchCache.ReconnectKey"/> for watches.</summary>
    public static ResiliencePipelineRegistry<string> Registry(KubernetesOptions options, TimeProvider time)
    {
        var registry = new ResiliencePipelineRegistry<string>();
        registry.TryAddBuilder(PipelineKey, (builder, _) => Configure(builder, options, time));
        registry.TryAddBuilder(WatchCache.ReconnectKey, (builder, _) => ConfigureReconnect(builder, time));
        return registry;
    }

    public static ResiliencePipeline Create(KubernetesOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        Configure(builder, options, time);
        return builder.Build();
    }

    public static void Configure(ResiliencePipelineBuilder builder, KubernetesOptions options, TimeProvider time)
    {
        builder.TimeProvider = time;
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>()
                    .Handle<HttpOperationException>(e => IsTransient(e.Response.StatusCode)),
                MaxRetryAttempts = options.MaxRetries,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        builder.AddTimeout(options.RequestTimeout);
    }

    /// <summary>The watches' pipeline: every failure but cancellation is retried, forever, with capped exponential backoff.</summary>
    public static void ConfigureReconnect(ResiliencePipelineBuilder builder, TimeProvider time)
    {
        builder.TimeProvider = time;
        builder.AddRetry(new RetryStrategyOptions
        {
            MaxRetryAttempts = int.MaxValue,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        });
    }

    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;
}
