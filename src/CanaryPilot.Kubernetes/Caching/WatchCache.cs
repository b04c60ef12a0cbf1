using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using CanaryPilot.Core.Diagnostics;
using k8s;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Registry;

namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// The controller's view of the cluster: every kind a tick reads, listed and then watched, in the
/// namespaces the controller drives (or all). Reads come from here; writes go to the API and their
/// responses come back here (<see cref="Remember"/>), so a quiet tick sends no GET or LIST. A read
/// the cache does not cover (a kind or namespace it does not watch, or before its first list) returns
/// null and goes to the API.
/// </summary>
public sealed class WatchCache : BackgroundService
{
    /// <summary>The reconnect pipeline's key in the resilience registry.</summary>
    public const string ReconnectKey = "canarypilot-watch";

    private readonly ResourceWatch[] _watches;
    private readonly ConcurrentDictionary<ResourceKind, List<Channel<ChangeNotice>>> _subscribers = new();

    public WatchCache(
        IKubernetes client, WatchScope scope, ResiliencePipelineProvider<string> pipelines, IErrorCounter errors, TimeProvider time, ILogger<WatchCache> logger)
    {
        var reconnect = pipelines.GetPipeline(ReconnectKey);
        IReadOnlyList<string?> namespaces = scope.Namespaces.Count == 0 ? [null] : [.. scope.Namespaces];
        _watches = [.. scope.Kinds.SelectMany(kind => namespaces.Select(ns => new ResourceWatch(client, kind, ns, reconnect, Publish, errors, time, logger, scope.IsOptional(kind))))];
        Scope = scope;
    }

    public WatchScope Scope { get; }

    /// <summary>Whether every watch of <paramref name="kind"/> has listed at least once.</summary>
    public bool IsSynced(ResourceKind kind) => _watches.Where(w => w.Kind == kind).All(w => w.Synced.IsCompleted);

    /// <summary>Whether any watch of <paramref name="kind"/> found the kind not served (a missing CRD).</summary>
    public bool IsNotServed(ResourceKind kind) => _watches.Any(w => w.Kind == kind && w.NotServed && !w.Synced.IsCompleted);

    /// <summary>Waits until every watch has listed once, or throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task WaitForSyncAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(_watches.Where(w => !Scope.IsOptional(w.Kind)).Select(w => w.Synced));
        try
        {
            await all.WaitAsync(timeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            var waiting = _watches.Where(w => !w.Synced.IsCompleted && !Scope.IsOptional(w.Kind)).Select(w => $"{w.Kind} in {w.Namespace ?? "every namespace"}");
            throw new TimeoutException($"the cache has not listed {string.Join(", ", waiting)} within {timeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>The object, parsed anew; null when the cache does not cover it (ask the API), a <see cref="Found"/> of null when it does and the object does not exist.</summary>
    public Found? Get(ResourceRef resource)
    {
        var watch = Covering(resource.Kind, resource.Namespace);
        return watch is null ? null : new Found(watch.Get(resource.Namespace, resource.Name)?.Parse());
    }

    /// <summary>The object's resourceVersion as cached, without parsing it; null when the cache does not cover it or it does not exist.</summary>
    public string? VersionOf(ResourceRef resource) => Covering(resource.Kind, resource.Namespace)?.Get(resource.Namespace, resource.Name)?.ResourceVersion;

    /// <summary>Every object of the kind in <paramref name="namespaceName"/> (every namespace when null); null when the cache does not cover it.</summary>
    /// <remarks>Only the objects <paramref name="where"/> keeps are parsed.</remarks>
    public IReadOnlyList<JsonObject>? List(ResourceKind kind, string? namespaceName, Func<CachedObject, bool>? where = null) =>
        Covering(kind, namespaceName) is { } watch ? [.. watch.In(namespaceName).Where(o => where is null || where(o)).Select(o => o.Parse())] : null;

    /// <summary>Takes in what a write returned, so the next read sees it without waiting for the watch.</summary>
    public void Remember(ResourceKind kind, JsonObject written)
    {
        if (CachedObject.From(written) is { } found && Covering(kind, found.Namespace) is { } watch)
        {
            watch.Remember(found);
        }
    }

    /// <summary>The changes of <paramref name="kind"/> from now on, in order, for one reader.</summary>
    public ChannelReader<ChangeNotice> Subscribe(ResourceKind kind)
    {
        var channel = Channel.CreateUnbounded<ChangeNotice>(new UnboundedChannelOptions { SingleReader = true });
        var list = _subscribers.GetOrAdd(kind, _ => []);
        lock (list)
        {
            list.Add(channel);
        }

        return channel.Reader;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(_watches.Select(w => w.RunAsync(stoppingToken)));

    /// <summary>The synced watch that holds every object of the kind in the namespace (in every namespace, for null).</summary>
    private ResourceWatch? Covering(ResourceKind kind, string? namespaceName) =>
        Array.Find(_watches, w => w.Kind == kind && (namespaceName is null ? w.Namespace is null : w.Covers(namespaceName)) && w.Synced.IsCompleted);

    private void Publish(ChangeNotice notice)
    {
        if (_subscribers.TryGetValue(notice.Kind, out var list))
        {
            lock (list)
            {
                foreach (var channel in list)
                {
                    channel.Writer.TryWrite(notice);
                }
            }
        }
    }

    /// <summary>The outcome of a covered read: the object, or null when it does not exist.</summary>
    public sealed record Found(JsonObject? Item);
}

/// <summary>What the cache watches: these kinds, in these namespaces (every namespace when empty).</summary>
/// <param name="Kinds">The kinds watched.</param>
/// <param name="Namespaces">The namespaces watched; every namespace when empty.</param>
/// <param name="Optional">
/// Kinds a cluster may not serve (the Gateway API's, without its CRDs): watched, but not waited for. Until one has
/// listed, reads of it go to the API.
/// </param>
public sealed record WatchScope(IReadOnlyList<ResourceKind> Kinds, IReadOnlyList<string> Namespaces, IReadOnlyList<ResourceKind>? Optional = null)
{
    public bool IsOptional(ResourceKind kind) => Optional?.Contains(kind) == true;
}
