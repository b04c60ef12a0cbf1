using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using k8s;
using Microsoft.Extensions.Logging;
using k8s.Models;
using Polly;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// Records each announcement as a Kubernetes Event on the RolloutPlan, so <c>kubectl describe</c> and
/// <c>kubectl get events</c> tell the rollout's story. Failing to record never fails the rollout; it is
/// logged with the rollout and counted (component <c>events</c>).
/// </summary>
public sealed partial class KubernetesEventAnnouncer(
    IKubernetes client, ResiliencePipeline pipeline, TimeProvider time, string reportingInstance, IErrorCounter errors, ILogger<KubernetesEventAnnouncer> logger) : IAnnouncer
{
    public async Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var item = new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = $"{plan.Metadata.Name}.", NamespaceProperty = plan.Namespace },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = RolloutPlan.CurrentApiVersion,
                Kind = RolloutPlan.ResourceKind,
                Name = plan.Metadata.Name,
                NamespaceProperty = plan.Namespace,
            },
            Reason = announcement.Reason,
            Message = announcement.Message,
            Type = announcement.Severity == Severity.Info ? "Normal" : "Warning",
            Source = new V1EventSource { Component = "canarypilot" },
            ReportingComponent = "canarypilot.io/controller",
            ReportingInstance = reportingInstance,
            FirstTimestamp = now,
            LastTimestamp = now,
            Count = 1,
        };
        try
        {
            await pipeline.ExecuteAsync(async token => await client.CoreV1.CreateNamespacedEventAsync(item, plan.Namespace, cancellationToken: token), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Events are a courtesy to people reading the cluster; the rollout goes on without them.
            errors.Count("events");
            LogFailed(logger, e, plan.Namespace, plan.Metadata.Name, announcement.Reason, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the {Reason} event of {Namespace}/{Rollout} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string @namespace, string rollout, string reason, string error);
}
