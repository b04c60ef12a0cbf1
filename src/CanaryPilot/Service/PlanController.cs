using System.Net;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Scheduling;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Service;

/// <summary>
/// Watches RolloutPlans — listing, then watching from the list's resourceVersion with bookmarks,
/// listing again after 410 Gone, reconnecting with backoff — and, on the leader, schedules what should
/// run: a plan whose last rollout ended and whose spec changed since starts a new rollout; a deleted
/// plan's job goes away, and its traffic goes back to stable when its <c>onDelete</c> says so. Each event is handled on its own, so one bad object never stops the loop.
/// </summary>
public sealed partial class PlanController(
    IKubernetes client,
    KubernetesRolloutStore store,
    RolloutReconciler reconciler,
    RolloutScheduler scheduler,
    LeaderService leader,
    RolloutEventHub hub,
    ServiceOptions options,
    TimeProvider time,
    ILogger<PlanController> logger)
    : BackgroundService
{
    private const string Group = RolloutPlan.ApiGroup;
    private const string Version = "v1alpha1";
    private const string Plural = "rolloutplans";

    /// <summary>What to do when the cluster does not serve RolloutPlans.</summary>
    public const string CrdMissingHint = "the cluster does not serve canarypilot.io/v1alpha1 RolloutPlans; install the CRDs first: kubectl apply -f deploy/crds/";

    private int _ready;

    /// <summary>The watch has listed the plans at least once and is following them.</summary>
    public bool Ready => Volatile.Read(ref _ready) == 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var version = await ListAsync(stoppingToken);
                Volatile.Write(ref _ready, 1);
                backoff = TimeSpan.FromSeconds(1);
                await WatchAsync(version, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is HttpRequestException or HttpOperationException or IOException or KubernetesException)
            {
                LogWatchFailed(logger, e is HttpOperationException operation && IsCrdMissing(operation) ? CrdMissingHint : e.Message, backoff.TotalSeconds);
                await Task.Delay(backoff, time, stoppingToken);
                backoff = TimeSpan.FromSeconds(Math.Min(30, backoff.TotalSeconds * 2));
            }
        }
    }

    /// <summary>A 404 for the resource type itself (not for one object): the CRD is not installed.</summary>
    public static bool IsCrdMissing(HttpOperationException e) =>
        e.Response?.StatusCode == HttpStatusCode.NotFound && e.Response.Content?.Contains("could not find the requested resource", StringComparison.Ordinal) == true;

    private async Task<string> ListAsync(CancellationToken cancellationToken)
    {
        var list = JsonNode.Parse((await client.CustomObjects.ListClusterCustomObjectAsync(Group, Version, Plural, cancellationToken: cancellationToken)).ToString()!)!;
        foreach (var item in (list["items"] as JsonArray ?? []).OfType<JsonObject>())
        {
            await HandleAsync(WatchEventType.Added, item, cancellationToken);
        }

        return list["metadata"]?["resourceVersion"]?.GetValue<string>() ?? "";
    }

    /// <summary>Follows changes until the stream ends; a 410 makes the caller list again.</summary>
    private async Task WatchAsync(string version, CancellationToken cancellationToken)
    {
        Exception? error = null;
        var events = client.CustomObjects.WatchListClusterCustomObjectAsync(
            Group, Version, Plural, allowWatchBookmarks: true, resourceVersion: version, onError: e => error = e, cancellationToken: cancellationToken);
        await foreach (var (type, item) in events)
        {
            if (type is WatchEventType.Bookmark or WatchEventType.Error || JsonNode.Parse(item.ToString()!) is not JsonObject plan)
            {
                continue;
            }

            await HandleAsync(type, plan, cancellationToken);
        }

        if (error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone })
        {
            LogRelisting(logger);
        }
    }

    private async Task HandleAsync(WatchEventType type, JsonObject item, CancellationToken cancellationToken)
    {
        var metadata = item["metadata"]!;
        var (ns, name) = (metadata["namespace"]?.GetValue<string>() ?? "", metadata["name"]?.GetValue<string>() ?? "");
        if (type != WatchEventType.Deleted)
        {
            hub.Publish(ns, name, StatusJson.Read(item["status"]));
        }

        if (!leader.IsLeader
            || (options.Namespaces.Count > 0 && !options.Namespaces.Contains(ns))
            || metadata["annotations"]?[PlanPublisher.DriverAnnotation]?.GetValue<string>() == PlanPublisher.CliDriver)
        {
            return;
        }

        try
        {
            if (type == WatchEventType.Deleted)
            {
                await scheduler.UnscheduleAsync(ns, name, cancellationToken);
                await RestoreStableAsync(item, cancellationToken);
                return;
            }

            var stored = await store.GetAsync(ns, name, cancellationToken);
            if (stored?.Plan is not { } plan)
            {
                LogInvalid(logger, ns, name, string.Join("; ", stored?.Problems.Select(p => p.ToString()) ?? []));
                return;
            }

            if (RolloutMachine.IsTerminal(stored.Status.Phase) && stored.Status.ObservedGeneration != stored.Generation)
            {
                // The plan changed since its last rollout ended (a new canary, a new revision): roll it out.
                await store.UpdateStatusAsync(ns, name, _ => new RolloutStatus(), cancellationToken);
            }
            else if (RolloutMachine.IsTerminal(stored.Status.Phase))
            {
                return;
            }

            if (!await scheduler.IsScheduledAsync(ns, name, cancellationToken))
            {
                await scheduler.ScheduleAsync(ns, name, plan.Spec.Analysis.Interval, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEventFailed(logger, e, ns, name, e.Message);
        }
    }

    /// <summary>A plan deleted mid-rollout whose <c>onDelete</c> says <c>restoreStable</c> gets all its traffic back on stable.</summary>
    private async Task RestoreStableAsync(JsonObject item, CancellationToken cancellationToken)
    {
        var deleted = await store.ReadAsync(item, cancellationToken);
        if (deleted.Plan is { Spec.OnDelete: DeletionPolicy.RestoreStable } plan
            && deleted.Status.Phase != RolloutPhase.Pending
            && !RolloutMachine.IsTerminal(deleted.Status.Phase))
        {
            await reconciler.RestoreStableAsync(plan, cancellationToken);
            LogRestored(logger, deleted.Namespace, deleted.Name, deleted.Status.Phase);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RolloutPlan {Namespace}/{Rollout} was deleted while {Phase}; all traffic is back on stable (onDelete: restoreStable)")]
    private static partial void LogRestored(ILogger logger, string @namespace, string rollout, RolloutPhase phase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching RolloutPlans failed ({Error}); reconnecting in {Seconds}s")]
    private static partial void LogWatchFailed(ILogger logger, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "The watch's resourceVersion expired (410); listing RolloutPlans again")]
    private static partial void LogRelisting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "RolloutPlan {Namespace}/{Rollout} is invalid and is not driven: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string @namespace, string rollout, string problems);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling RolloutPlan {Namespace}/{Rollout} failed: {Error}")]
    private static partial void LogEventFailed(ILogger logger, Exception exception, string @namespace, string rollout, string error);
}
