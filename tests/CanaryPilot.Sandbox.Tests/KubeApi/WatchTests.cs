using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Sandbox.Tests.KubeApi;

/// <summary>Watch streams: live changes, resuming from a resourceVersion, 410 Gone, bookmarks, timeouts and dropped connections.</summary>
public sealed class WatchTests : IAsyncLifetime
{
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync() => _kube = await KubeApiCluster.StartAsync(new CanaryPilot.Sandbox.KubeApi.KubeApiOptions { BookmarkInterval = TimeSpan.FromMilliseconds(50) });

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private Task<V1ConfigMap> CreateAsync(string name, string? label = null) => _kube.Client.CoreV1.CreateNamespacedConfigMapAsync(
        new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = label is null ? null : new Dictionary<string, string> { ["tier"] = label } },
            Data = new Dictionary<string, string> { ["v"] = "1" },
        },
        "default");

    private IAsyncEnumerable<(WatchEventType, V1ConfigMap)> Watch(
        string? resourceVersion = null, bool? allowWatchBookmarks = null, string? labelSelector = null, int? timeoutSeconds = null, Action<Exception>? onError = null) =>
        _kube.Client.CoreV1.WatchListNamespacedConfigMapAsync(
            "default", allowWatchBookmarks: allowWatchBookmarks, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds, onError: onError);

    private Task<V1ConfigMap> PatchAsync(string name, string json) =>
        _kube.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(json, V1Patch.PatchType.MergePatch), name, "default");

    private static async Task<List<(WatchEventType Type, string Name)>> TakeAsync(
        IAsyncEnumerable<(WatchEventType, V1ConfigMap)> events, int count)
    {
        var seen = new List<(WatchEventType, string)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var (type, item) in events.WithCancellation(deadline.Token))
        {
            seen.Add((type, item.Metadata?.Name ?? ""));
            if (seen.Count == count)
            {
                break;
            }
        }

        return seen;
    }

    [Fact]
    public async Task Watch_FromNow_SeesAddedModifiedDeletedInOrder()
    {
        var list = await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var stream = Watch(resourceVersion: list.Metadata.ResourceVersion);
        var events = TakeAsync(stream, 3);

        await CreateAsync("a");
        await PatchAsync("a", """{"data": {"v": "2"}}""");
        await _kube.Client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default");

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Modified, "a"), (WatchEventType.Deleted, "a")], await events);
    }

    [Fact]
    public async Task Watch_ResumedFromAnOlderResourceVersion_ReplaysWhatItMissed()
    {
        var start = (await CreateAsync("a")).Metadata.ResourceVersion;
        await CreateAsync("b");
        await PatchAsync("a", """{"data": {"v": "2"}}""");

        var stream = Watch(resourceVersion: start);

        Assert.Equal([(WatchEventType.Added, "b"), (WatchEventType.Modified, "a")], await TakeAsync(stream, 2));
    }

    [Fact]
    public async Task Watch_FromACompactedResourceVersion_GetsAn410ErrorEvent()
    {
        var start = (await CreateAsync("a")).Metadata.ResourceVersion;
        await CreateAsync("b");
        _kube.Server.Store.Compact();

        using var http = new HttpClient { BaseAddress = _kube.Server.Address };
        var body = await http.GetStringAsync($"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={start}");
        Exception? reported = null;
        var stream = Watch(resourceVersion: start, onError: e => reported = e);

        var error = System.Text.Json.Nodes.JsonNode.Parse(body)!;
        Assert.Equal("ERROR", error["type"]!.GetValue<string>());
        Assert.Equal(("Status", 410, "Expired"), (error["object"]!["kind"]!.GetValue<string>(), error["object"]!["code"]!.GetValue<int>(), error["object"]!["reason"]!.GetValue<string>()));
        Assert.Empty(await TakeAsync(stream, 1));
        Assert.Equal(410, Assert.IsType<KubernetesException>(reported).Status.Code);
    }

    [Fact]
    public async Task Watch_WithBookmarks_ReceivesTheCurrentResourceVersion()
    {
        var created = await CreateAsync("a");
        var stream = Watch(resourceVersion: created.Metadata.ResourceVersion, allowWatchBookmarks: true);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var (type, item) in stream.WithCancellation(deadline.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            Assert.Equal(_kube.Server.Store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), item.Metadata.ResourceVersion);
            break;
        }
    }

    [Fact]
    public async Task Watch_WithLabelSelector_SeesObjectsEnterAndLeaveTheSelection()
    {
        await CreateAsync("a", "front");
        var list = await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default");
        var stream = Watch(resourceVersion: list.Metadata.ResourceVersion, labelSelector: "tier=back");
        var events = TakeAsync(stream, 2);

        await PatchAsync("a", """{"metadata": {"labels": {"tier": "back"}}}""");
        await PatchAsync("a", """{"metadata": {"labels": {"tier": "front"}}}""");

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Deleted, "a")], await events);
    }

    [Fact]
    public async Task Watch_WithTimeoutSeconds_EndsTheResponseByItself()
    {
        using var http = new HttpClient { BaseAddress = _kube.Server.Address };

        using var response = await http.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CutWatches_EndsOpenStreams()
    {
        await CreateAsync("a");
        var stream = Watch();
        var events = TakeAsync(stream, 2);
        await Eventually.TrueAsync(() => _kube.Server.Store.OpenWatches > 0, "the watch to open");

        _kube.Server.Store.CloseWatches();

        Assert.Equal([(WatchEventType.Added, "a")], await events);
    }

    [Fact]
    public async Task Watch_WithoutResourceVersion_StartsWithTheCurrentObjects()
    {
        await CreateAsync("a");
        await CreateAsync("b");

        var stream = Watch();

        Assert.Equal([(WatchEventType.Added, "a"), (WatchEventType.Added, "b")], await TakeAsync(stream, 2));
    }
}
