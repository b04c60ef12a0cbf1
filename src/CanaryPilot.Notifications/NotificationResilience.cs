using CanaryPilot.Core.Notifications;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CanaryPilot.Notifications;

/// <summary>
/// The resilience pipelines of notifications and gates, defined here only. Deliveries: retry with
/// exponential, jittered backoff on transport errors, timeouts, 5xx and 429, around a timeout per
/// attempt. Gates: a timeout only, the gate's own; a closed gate is asked again at the next interval.
/// </summary>
public static class NotificationResilience
{
    public const string DeliveryKey = "canarypilot-notifications";
    public const string GateKey = "canarypilot-gates";

    /// <summary>The gate's <c>timeout</c>, handed to the gate pipeline with each call.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> GateTimeout = new("canarypilot.gate-timeout");

    public static ResiliencePipeline<DeliveryAttempt> Delivery(NotificationOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<DeliveryAttempt> { Name = DeliveryKey, TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<DeliveryAttempt>
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: TimeoutRejectedException } => true,
                    { Result.Transient: true } => true,
                    _ => false,
                }),
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            });
        }

        return builder.AddTimeout(options.AttemptTimeout).Build();
    }

    public static ResiliencePipeline Gate(TimeProvider time) =>
        new ResiliencePipelineBuilder { Name = GateKey, TimeProvider = time }
            .AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(GateTimeout, TimeSpan.FromSeconds(30))),
            })
            .Build();
}
