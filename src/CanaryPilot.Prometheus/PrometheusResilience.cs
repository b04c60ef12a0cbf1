using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CanaryPilot.Prometheus;

/// <summary>
/// The one resilience pipeline of the Prometheus client, outermost first: retry with exponential,
/// jittered backoff (honouring <c>Retry-After</c>); a circuit breaker, so a Prometheus that is down is
/// not hammered by every rollout, with breaks that start short and double while it stays down; a timeout per attempt. Only reads go through it, so every retry is safe.
/// </summary>
internal static class PrometheusResilience
{
    public const string Key = "canarypilot-prometheus";

    public static ResiliencePipeline<HttpAnswer> Create(PrometheusClientOptions options, TimeProvider time)
    {
        static ValueTask<bool> Transient(Outcome<HttpAnswer> outcome) => ValueTask.FromResult(outcome switch
        {
            { Exception: HttpRequestException or TimeoutRejectedException } => true,
            { Result.IsTransient: true } => true,
            _ => false,
        });

        var builder = new ResiliencePipelineBuilder<HttpAnswer> { Name = Key, TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpAnswer>
            {
                ShouldHandle = args => Transient(args.Outcome),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Result?.RetryAfter is { } after ? TimeSpan.FromTicks(Math.Min(after.Ticks, options.MaxRetryAfter.Ticks)) : (TimeSpan?)null),
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpAnswer>
            {
                ShouldHandle = args => Transient(args.Outcome),
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = options.CircuitSamplingDuration,
                BreakDuration = options.CircuitBreakDuration,
                BreakDurationGenerator = args => ValueTask.FromResult(BreakDuration(options, args.HalfOpenAttempts)),
            })
            .AddTimeout(options.Timeout)
            .Build();
    }

    /// <summary>The first break is short; each failed probe doubles it, up to the longest.</summary>
    private static TimeSpan BreakDuration(PrometheusClientOptions options, int failedProbes)
    {
        var duration = options.CircuitFirstBreakDuration;
        for (var probe = 0; probe < failedProbes && duration < options.CircuitBreakDuration; probe++)
        {
            duration *= 2;
        }

        return duration < options.CircuitBreakDuration ? duration : options.CircuitBreakDuration;
    }
}
