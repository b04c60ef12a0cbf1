using System.ComponentModel.DataAnnotations;

namespace CanaryPilot.Notifications;

/// <summary>How hard CanaryPilot tries to deliver notifications, and how much it keeps waiting for a slow receiver; <c>serve</c> reads them from the <c>CanaryPilot:Notifications</c> section.</summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    /// <summary>Events waiting per notifier; when a receiver falls this far behind, the oldest waiting event is dropped (and counted).</summary>
    [Range(1, 100_000)]
    public int QueueCapacity { get; set; } = 100;

    /// <summary>How long one attempt (connect, send, answer) may take before it is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:05:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, on transport errors, timeouts, 5xx and 429.</summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The base of the exponential, jittered delay between retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>On shutdown, how long events already queued may still take to be delivered.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws when a value is out of its range, naming the property.</summary>
    public NotificationOptions Validated()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        return this;
    }
}
