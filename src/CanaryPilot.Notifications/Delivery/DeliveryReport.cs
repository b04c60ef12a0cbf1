namespace CanaryPilot.Notifications.Delivery;

/// <summary>How one notification's delivery ended, after every attempt. Never holds an address or a secret.</summary>
/// <param name="Notification">The notification's name in the plan.</param>
/// <param name="Kind"><c>slack</c> or <c>webhook</c>.</param>
/// <param name="Attempts">Attempts made; 0 when the notifier could not even be built.</param>
/// <param name="Failure">Why it was not delivered; null when it was.</param>
/// <param name="Detail">The last answer or problem, for people: <c>HTTP 200</c>, <c>connection failed</c>.</param>
public sealed record DeliveryReport(string Notification, string Kind, int Attempts, DeliveryFailure? Failure, string Detail)
{
    public bool Delivered => Failure is null;
}

/// <summary>Why a notification was not delivered; the <c>reason</c> label of the failed counter.</summary>
public enum DeliveryFailure
{
    /// <summary>The receiver refused it (4xx other than 429).</summary>
    Rejected,

    /// <summary>Transport errors, 5xx or 429 on every attempt.</summary>
    Unavailable,

    /// <summary>The last attempt did not finish within the per-attempt timeout.</summary>
    TimedOut,

    /// <summary>The notifier could not be built: a secret missing, a URL that is not one.</summary>
    Misconfigured,

    /// <summary>The receiver fell behind by a whole queue and the event was dropped for a newer one.</summary>
    Dropped,

    /// <summary>CanaryPilot stopped before the event could be delivered.</summary>
    Canceled,
}
