using System.Net.Mime;
using System.Text.Json;
using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Notifications;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace CanaryPilot.Notifications.Webhooks;

/// <summary>
/// A rollout event as a CloudEvents 1.0 event in structured mode (<c>application/cloudevents+json</c>):
/// <c>type</c> <c>io.canarypilot.rollout.promoted</c> and so on, <c>source</c> the RolloutPlan's API
/// path, <c>subject</c> <c>namespace/name</c>, <c>id</c> the same on every retry, the event in <c>data</c>.
/// </summary>
internal static class CloudEventBody
{
    public const string TypePrefix = "io.canarypilot.rollout.";

    /// <summary>The type of the sample <c>notify-test</c> sends, so receivers never act on it.</summary>
    public const string TestType = TypePrefix + "test";

    private static readonly JsonEventFormatter Formatter = new(NotificationJson.Options, new JsonDocumentOptions());

    public static (ReadOnlyMemory<byte> Body, string MediaType) Encode(RolloutNotification notification)
    {
        var rollout = notification.Rollout;
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = notification.Id,
            Type = notification.IsTest ? TestType : TypePrefix + ObjectBinder.EnumName(notification.Type),
            Source = new Uri($"/apis/canarypilot.io/v1alpha1/namespaces/{rollout.Namespace}/rolloutplans/{rollout.Rollout}", UriKind.Relative),
            Subject = $"{rollout.Namespace}/{rollout.Rollout}",
            Time = notification.Time,
            DataContentType = MediaTypeNames.Application.Json,
            Data = new EventData(notification.Type, notification.Severity, notification.Reason, notification.Message, notification.Next, notification.IsTest ? true : null, rollout),
        };
        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
        return (body, contentType.MediaType);
    }

    /// <summary>The event's <c>data</c>: what happened, what comes next, and the rollout's numbers.</summary>
    private sealed record EventData(Core.Plans.RolloutEventType Event, Severity Severity, string Reason, string Message, string Next, bool? Test, RolloutSnapshot Rollout);
}
