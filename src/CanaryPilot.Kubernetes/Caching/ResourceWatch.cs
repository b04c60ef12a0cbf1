using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Diagnostics;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Polly;

namespace CanaryPilot.Kubernetes.Caching;

/// <summary>
/// One kind's objects in one scope (a namespace, or every namespace), kept by a list and then a watch
/// from the list's resourceVersion with bookmarks. A watch that ends is resumed from the last
/// resourceVersion seen; only 410 Gone lists again. Failures back off through the reconnect pipeline;
/// one bad event is logged, counted and skipped, never the end of the stream.
/// </summary>
internal sealed partial class ResourceWatch(
    IKubernetes client, ResourceKind kind, string? namespaceName, ResiliencePipeline reconnect, Action<ChangeNotice> publish, IErrorCounter errors, TimeProvider time, ILogger logger, bool optional = false)
{
    /// <summary>A watch that ends sooner than this having delivered nothing counts as a failure, so it backs off.</summary>
    private static readonly TimeSpan ShortestQuietWatch = TimeSpan.FromSeconds(1);

    /// <summary>How long one list (of thousands of objects, maybe) may take.</summary>
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The server ends each watch after 5 to 10 minutes (chosen at random, so watches do not end together)
    /// and it is resumed at once: a connection that died without a word is found out within that time.
    /// </summary>
    private static int WatchSeconds() => 300 + Random.Shared.Next(300);

    private readonly string _kind = kind.ToString();
    private readonly string _scope = namespaceName ?? "every namespace";
    private readonly WatchedObjects _objects = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _resumeFrom;
    private volatile bool _notServed;

    public ResourceKind Kind => kind;

    /// <summary>The namespace watched; null for every namespace.</summary>
    public string? Namespace => namespaceName;

    /// <summary>The last list was answered 404: the cluster does not serve the kind (its CRD is not installed).</summary>
    public bool NotServed => _notServed;

    /// <summary>Completes when the first list has been taken in.</summary>
    public Task Synced => _synced.Task;

    public bool Covers(string ns) => namespaceName is null || namespaceName == ns;

    public CachedObject? Get(string ns, string name) => _objects.Get(ns, name);

    public IEnumerable<CachedObject> In(string? ns) => _objects.In(ns);

    /// <summary>Takes in a write's response, unless the watch already brought something newer.</summary>
    public void Remember(CachedObject written) => _objects.Put(written);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reconnect.ExecuteAsync(SessionAsync, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The pipeline retries for ever; should it ever give up, the watch must still not end.
                errors.Count("watch");
                LogFailed(logger, _kind, _scope, OneLine(e.Message));
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Lists when there is nothing to resume from, then follows changes until the stream ends.</summary>
    private async ValueTask SessionAsync(CancellationToken cancellationToken)
    {
        try
        {
            _resumeFrom ??= await ListAsync(cancellationToken);
            var started = time.GetTimestamp();
            if (await WatchAsync(_resumeFrom, cancellationToken) == 0 && time.GetElapsedTime(started) < ShortestQuietWatch && _resumeFrom is not null)
            {
                throw new IOException("the watch closed as soon as it opened");
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            var notServed = e is HttpOperationException { Response.StatusCode: HttpStatusCode.NotFound };
            var wasNotServed = _notServed;
            _notServed = notServed;
            if (notServed && optional)
            {
                // A kind the cluster need not serve: said once, not counted as an error, and tried again with backoff.
                if (!wasNotServed)
                {
                    LogOptionalNotServed(logger, _kind, _scope);
                }

                throw;
            }

            errors.Count("watch");
            LogFailed(logger, _kind, _scope, notServed ? NotServedHint() : OneLine(e.Message));
            // A list or watch that took too long is a failure to retry, not the process stopping.
            if (e is OperationCanceledException)
            {
                throw new TimeoutException($"{_kind} in {_scope}: the list or watch took too long", e);
            }

            throw;
        }
    }

    private async Task<string> ListAsync(CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(ListTimeout);
        var cancellationToken = timeout.Token;
        var response = namespaceName is null
            ? await client.CustomObjects.ListClusterCustomObjectAsync(kind.Group, kind.Version, kind.Plural, cancellationToken: cancellationToken)
            : await client.CustomObjects.ListNamespacedCustomObjectAsync(kind.Group, kind.Version, namespaceName, kind.Plural, cancellationToken: cancellationToken);
        var list = (JsonElement)response;
        var listed = new Dictionary<string, CachedObject>(StringComparer.Ordinal);
        if (list.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (CachedObject.From(item) is { } found)
                {
                    listed[found.Key] = found;
                }
            }
        }

        foreach (var (type, changed) in _objects.Replace(listed))
        {
            publish(new ChangeNotice(type, kind, changed.Parse()));
        }

        _notServed = false;
        _synced.TrySetResult();
        return list.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("resourceVersion", out var version) ? version.GetString() ?? "" : "";
    }

    /// <summary>Follows changes from <paramref name="version"/>; returns how many events came. After 410 Gone, the next session lists again.</summary>
    private async Task<int> WatchAsync(string version, CancellationToken stoppingToken)
    {
        var seconds = WatchSeconds();
        using var overdue = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        overdue.CancelAfter(TimeSpan.FromSeconds(seconds + 30));
        var cancellationToken = overdue.Token;
        Exception? failure = null;
        var events = namespaceName is null
            ? client.CustomObjects.WatchListClusterCustomObjectAsync(
                kind.Group, kind.Version, kind.Plural, allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: seconds, onError: OnError, cancellationToken: cancellationToken)
            : client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                kind.Group, kind.Version, namespaceName, kind.Plural, allowWatchBookmarks: true, resourceVersion: version, timeoutSeconds: seconds, onError: OnError, cancellationToken: cancellationToken);
        void OnError(Exception e)
        {
            if (e is KubernetesException)
            {
                failure = e;
            }
            else
            {
                // A line that could not be read: the stream goes on with the next one.
                BadEvent(e, WatchEventType.Error);
            }
        }

        var count = 0;
        await foreach (var (type, item) in events)
        {
            count++;
            if (type == WatchEventType.Error || failure is not null)
            {
                if (Code(item, failure) == (int)HttpStatusCode.Gone)
                {
                    LogRelisting(logger, _kind, _scope);
                    _resumeFrom = null;
                    return count;
                }

                throw failure ?? new IOException($"the watch reported an error: {OneLine(item?.ToString() ?? "")}");
            }

            Take(type, item);
        }

        // The client may report an ERROR line only through onError, with no event.
        if (failure is not null)
        {
            if (Code(null, failure) == (int)HttpStatusCode.Gone)
            {
                LogRelisting(logger, _kind, _scope);
                _resumeFrom = null;
                return count + 1;
            }

            throw failure;
        }

        return count;
    }

    /// <summary>One event into the cache; an event that cannot be read is logged and skipped.</summary>
    private void Take(WatchEventType type, object item)
    {
        try
        {
            var found = item is JsonElement element ? CachedObject.From(element) : null;
            if (type == WatchEventType.Bookmark)
            {
                _resumeFrom = found?.ResourceVersion is { Length: > 0 } bookmark ? bookmark : ReadVersion(item) ?? _resumeFrom;
                return;
            }

            if (found is null)
            {
                throw new FormatException("the event's object has no metadata.name");
            }

            if (type == WatchEventType.Deleted)
            {
                _objects.Remove(found);
            }
            else
            {
                _objects.Put(found);
            }

            _resumeFrom = found.ResourceVersion;
            publish(new ChangeNotice(type, kind, found.Parse()));
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            BadEvent(e, type);
        }
    }

    private void BadEvent(Exception e, WatchEventType type)
    {
        errors.Count("watch");
        LogBadEvent(logger, e, _kind, type, e.Message);
    }

    private static string? ReadVersion(object item) =>
        item is JsonElement element && element.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("resourceVersion", out var version) ? version.GetString() : null;

    private static int? Code(object? item, Exception? failure) => failure is KubernetesException { Status.Code: { } code }
        ? code
        : item is JsonElement element && element.TryGetProperty("code", out var value) && value.TryGetInt32(out var parsed) ? parsed : null;

    private string NotServedHint() => kind == CanaryPilotResources.RolloutPlans ? CanaryPilotResources.CrdMissingHint : $"the cluster does not serve {kind}";

    private static string OneLine(string message) => string.Join(' ', message.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watching {Kind} in {Namespace} failed ({Error}); reconnecting with backoff")]
    private static partial void LogFailed(ILogger logger, string kind, string @namespace, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "The cluster does not serve {Kind} ({Namespace}); plans that name them read them from the API until it does")]
    private static partial void LogOptionalNotServed(ILogger logger, string kind, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "The watch of {Kind} in {Namespace} expired (410); listing again")]
    private static partial void LogRelisting(ILogger logger, string kind, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A {Kind} watch event ({Type}) could not be read and was skipped: {Error}")]
    private static partial void LogBadEvent(ILogger logger, Exception exception, string kind, WatchEventType type, string error);
}
