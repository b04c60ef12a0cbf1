using System.Net;
using k8s.Autorest;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// The one resilience pipeline for Kubernetes API calls: a timeout per attempt inside retries with
/// exponential backoff and jitter, for what is safe to repeat — 5xx, 429, timeouts and dropped
/// connections. Other 4xx answers are the caller's to handle (a 409 is re-read and re-applied).
/// </summary>
public static class KubernetesResilience
{
    public const string PipelineKey = "canarypilot-kubernetes";

    public static ResiliencePipeline Create(KubernetesOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { Name = PipelineKey, TimeProvider = time };
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

        return builder.AddTimeout(options.RequestTimeout).Build();
    }

    public static bool IsTransient(HttpStatusCode status) => (int)status >= 500 || status == HttpStatusCode.TooManyRequests;
}
