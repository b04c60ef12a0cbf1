using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;

namespace CanaryPilot.Service;

/// <summary>
/// Starts a rollout of a new canary: aborts one in progress, writes the new canary into the plan (a new
/// generation, which the controller rolls out) and remembers the idempotency key on the plan, so a
/// retried CI call finds its key and starts nothing. After a promotion, the promoted canary becomes
/// the plan's stable first.
/// </summary>
public sealed class RolloutTriggers(CustomObjects objects, PlanReader reader, RolloutReconciler reconciler, DrivingRule rule)
{
    public const string KeyAnnotation = "canarypilot.io/trigger-key";

    /// <summary>What a trigger came to: a duplicate, a plan that would be invalid (<see cref="Problem"/>), or one this controller does not drive (<see cref="NotDriven"/>).</summary>
    public sealed record Outcome(bool Duplicate, string? Problem, string? NotDriven = null);

    public async Task<Outcome> TriggerAsync(string namespaceName, string name, TriggerRequest request, CancellationToken cancellationToken)
    {
        var resource = CanaryPilotResources.RolloutPlan(namespaceName, name);
        var current = await objects.GetAsync(resource, cancellationToken) ?? throw new KeyNotFoundException(name);
        var stored = await reader.ReadAsync(current, cancellationToken);
        if (rule.Check(namespaceName, stored.DrivenBy) is var refusal and not DrivingRule.Refusal.None)
        {
            return new Outcome(false, null, rule.Explain(refusal, namespaceName));
        }

        if (current["metadata"]?["annotations"]?[KeyAnnotation]?.GetValue<string>() == request.IdempotencyKey)
        {
            return new Outcome(Duplicate: true, null);
        }

        // After a promotion the canary serves everything: it becomes the stable, and the next canary is
        // the old stable's destination (the idle one) unless the request names another. Only when the
        // verdict is of the plan as it is now, so a second trigger before the controller took up the
        // first does not swap back.
        var status = stored.Status;
        var promoted = status.Phase == RolloutPhase.Succeeded && stored.EndedAtThisGeneration;
        var (_, problems) = await reader.ValidateAsync(Change((JsonObject)current.DeepClone(), request, promoted), cancellationToken);
        if (problems.Count > 0)
        {
            return new Outcome(false, string.Join("; ", problems.Select(d => $"{d.Path}: {d.Message}")));
        }

        if (!RolloutMachine.IsTerminal(status.Phase) && status.Phase != RolloutPhase.Pending)
        {
            await reconciler.ReconcileAsync(namespaceName, name, new AbortCommand($"superseded by a new canary ({request.Revision ?? "triggered"})"), cancellationToken);
        }

        // A conflict re-reads the plan: swap only while it is still the generation the verdict was about,
        // so a trigger that landed in between is not undone.
        var generation = current["metadata"]?["generation"]?.GetValue<long>();
        await objects.UpdateAsync(
            resource,
            live => Change(live, request, promoted && live["metadata"]?["generation"]?.GetValue<long>() == generation),
            status: false,
            cancellationToken);
        return new Outcome(false, null);
    }

    /// <summary>The plan with the trigger's canary written in; after a promotion, with stable and canary swapped first.</summary>
    internal static JsonObject Change(JsonObject plan, TriggerRequest request, bool promoted)
    {
        if (promoted && plan["spec"]?["service"] is JsonObject service && service["stable"] is JsonObject stable && service["canary"] is JsonObject promotedCanary)
        {
            var next = (JsonObject)stable.DeepClone();
            next.Remove("revision");
            if ((request.Canary?.Host is { } host && host != next["host"]?.GetValue<string>())
                || (request.Canary?.Subset is { } subset && subset != next["subset"]?.GetValue<string>()))
            {
                // Another destination: the old stable's workload and version are not its own.
                next.Remove("workload");
                next.Remove("version");
            }

            service["stable"] = promotedCanary.DeepClone();
            service["canary"] = next;
        }

        var canary = plan["spec"]?["service"]?["canary"] as JsonObject ?? [];
        void Set(string field, string? value)
        {
            if (value is not null)
            {
                canary[field] = value;
            }
        }

        Set("host", request.Canary?.Host);
        Set("subset", request.Canary?.Subset);
        Set("workload", request.Canary?.Workload);
        Set("version", request.Canary?.Version);
        Set("revision", request.Revision);
        var metadata = (JsonObject)plan["metadata"]!;
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[KeyAnnotation] = request.IdempotencyKey;
        metadata["annotations"] = annotations;
        return plan;
    }
}
