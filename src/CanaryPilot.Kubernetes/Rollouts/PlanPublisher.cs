using System.Net;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using k8s.Autorest;

namespace CanaryPilot.Kubernetes.Rollouts;

/// <summary>
/// Puts a plan read from a file into the cluster as its RolloutPlan resource (for <c>canarypilot run</c>),
/// marked as driven from the command line so an in-cluster controller leaves it alone. An unchanged
/// spec is not written again; the status is never touched here.
/// </summary>
public sealed class PlanPublisher(CustomObjects objects)
{
    /// <summary>Creates or updates the resource.</summary>
    public async Task PublishAsync(RolloutPlan plan, JsonObject document, CancellationToken cancellationToken)
    {
        var resource = CanaryPilotResources.RolloutPlan(plan.Namespace, plan.Metadata.Name);
        var desired = (JsonObject)document.DeepClone();
        desired.Remove("status");
        var metadata = desired["metadata"] as JsonObject ?? [];
        desired["metadata"] = metadata;
        metadata["namespace"] = plan.Namespace;
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[DrivingRule.DriverAnnotation] = DrivingRule.CliDriver;
        metadata["annotations"] = annotations;

        try
        {
            var existing = await objects.GetAsync(resource, cancellationToken);
            if (existing is null)
            {
                await objects.CreateAsync(resource, desired, cancellationToken);
                return;
            }

            await objects.UpdateAsync(resource, live =>
            {
                live["spec"] = desired["spec"]!.DeepClone();
                var liveMetadata = (JsonObject)live["metadata"]!;
                liveMetadata["labels"] = metadata["labels"]?.DeepClone();
                var liveAnnotations = liveMetadata["annotations"] as JsonObject ?? [];
                foreach (var (key, value) in annotations)
                {
                    liveAnnotations[key] = value?.DeepClone();
                }

                liveMetadata["annotations"] = liveAnnotations;
                if (liveMetadata["labels"] is null)
                {
                    liveMetadata.Remove("labels");
                }
            }, status: false, cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new CrdMissingException(CanaryPilotResources.CrdMissingHint);
        }
    }
}

/// <summary>The cluster lacks CanaryPilot's CustomResourceDefinitions.</summary>
public sealed class CrdMissingException(string message) : Exception(message);
