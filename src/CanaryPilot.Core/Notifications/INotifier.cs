namespace CanaryPilot.Core.Notifications;

/// <summary>
/// Delivers rollout events to one receiver: a Slack channel, a webhook. Each call is one attempt;
/// queueing, retries and timeouts belong to the caller. A receiver's problems come back as data,
/// named without its address or any secret.
/// </summary>
public interface INotifier
{
    /// <summary>What kind of receiver this is, for people and metrics: <c>slack</c> or <c>webhook</c>. Never its address.</summary>
    string Kind { get; }

    /// <summary>Sends <paramref name="notification"/> once and says how that went.</summary>
    Task<DeliveryAttempt> SendAsync(RolloutNotification notification, CancellationToken cancellationToken);
}
