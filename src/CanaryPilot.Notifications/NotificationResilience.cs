using CanaryPilot.Core.Notifications;
using Polly;
using Polly.Registry;
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

    /// <summary>Adds both pipelines to <paramref name="registry"/>, under <see cref="DeliveryKey"/> and <see cref="GateKey"/>.</summary>
    public static ResiliencePipelineRegistry<string> AddTo(ResiliencePipelineRegistry<string> registry, NotificationOptions options, TimeProvider time)
    {
        registry.TryAddBuilder<DeliveryAttempt>(DeliveryKey, (builder, _) => ConfigureDelivery(builder, options, time));
        registry.TryAddBuilder(GateKey, (builder, _) => ConfigureGate(builder, time));
        return registry;
    }

    public static ResiliencePipeline<DeliveryAttempt> Delivery(NotificationOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<DeliveryAttempt> { Name = DeliveryKey };
        ConfigureDelivery(builder, options, time);
        return builder.Build();
    }

    public static ResiliencePipeline Gate(TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder { Name = GateKey };
        ConfigureGate(builder, time);
        return builder.Build();
    }

    private static void ConfigureDelivery(ResiliencePipelineBuilder<DeliveryAttempt> builder, NotificationOptions options, TimeProvider time)
    {
        builder.TimeProvider = time;
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

        builder.AddTimeout(options.AttemptTimeout);
    }

    private static void ConfigureGate(ResiliencePipelineBuilder builder, TimeProvider time)
    {
        builder.TimeProvider = time;
        builder.AddTimeout(new TimeoutStrategyOptions
        {
            TimeoutGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(GateTimeout, TimeSpan.FromSeconds(30))),
        });
    }
}
