namespace CanaryPilot.Core.Notifications;

/// <summary>
/// How one attempt to deliver a notification went. <see cref="Detail"/> is for people and logs
/// (<c>HTTP 503</c>, <c>connection refused</c>): it never holds the receiver's address or a secret.
/// </summary>
/// <param name="Delivered">The receiver accepted the notification.</param>
/// <param name="Transient">Not delivered, but another attempt may succeed (a transport error, 5xx, 429).</param>
/// <param name="Detail">What happened, in a few words.</param>
public sealed record DeliveryAttempt(bool Delivered, bool Transient, string Detail);
