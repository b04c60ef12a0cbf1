namespace CanaryPilot.Notifications;

/// <summary>A notifier cannot be built from its spec: the message names the field, never a value.</summary>
public sealed class NotifierUnavailableException(string message) : Exception(message);
