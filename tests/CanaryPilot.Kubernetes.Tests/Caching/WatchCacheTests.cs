using System.Text.Json.Nodes;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Kubernetes.Caching;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace CanaryPilot.Kubernetes.Tests.Caching;

/// <summary>The watch cache against the emulator over HTTP: it lists, follows, resumes, lists again only after 410, and serves reads without asking the API.</summary>
public sealed class WatchCacheTests : IAsyncLifetime, IDisposable
{
    private static readonly ResourceKind VirtualServices = new("networking.istio.io", "v1", "virtualservices");

    private KubeApiCluster _cluster = null!;
    private WatchCache _cache = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubeApiCluster.StartAsync(new KubeApiOptions { Audit = true });
        await _cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });
        await CreateAsync("reviews");
    }

    public async Task DisposeAsync()
    {
        if (_cache is not null)
        {
            await _cache.StopAsync(CancellationToken.None);
        }

        await _cluster.DisposeAsync();
    }

    public void Dispose() => _cache?.Dispose();

    private async Task<WatchCache> StartAsync(params ResourceKind[] kinds)
    {
        var client = KubernetesClients.Create(_cluster.Configuration);
        _cache = new WatchCache(client, new WatchScope(kinds.Length == 0 ? [VirtualServices] : kinds, ["bookinfo"]), KubernetesResilience.Registry(RouterHarness.Options, TimeProvider.System), IErrorCounter.None, TimeProvider.System, NullLogger<WatchCache>.Instance);
        await _cache.StartAsync(CancellationToken.None);
        return _cache;
    }

    private async Task CreateAsync(string name) => await _cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "{{{name}}}", "namespace": "bookinfo"},
         "spec": {"hosts": ["{{{name}}}"], "http": [{"route": [{"destination": {"host": "{{{name}}}"}}]}]}}
        """)!, "networking.istio.io", "v1", "bookinfo", "virtualservices");

    private Task<object> PatchHostsAsync(string name, string host) => _cluster.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
        new V1Patch($$$"""{"spec": {"hosts": ["{{{host}}}"]}}""", V1Patch.PatchType.MergePatch), "networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews");

    private string? CachedHost(string name) => _cache.Get(VirtualServices.In("bookinfo", name))?.Item?["spec"]?["hosts"]?[0]?.GetValue<string>();

    private int Requests(string verb) => _cluster.Server.Audit.Records.Count(r => r.Verb == verb && r.Resource == "virtualservices");

    [Fact]
    public async Task ListsThenFollows_AddsChangesAndDeletions_WithoutAnotherList()
    {
        var cache = await StartAsync();
        await cache.WaitForSyncAsync(TimeSpan.FromSeconds(20), TimeProvider.System, CancellationToken.None);
        Assert.Equal("reviews", CachedHost("reviews"));

        await CreateAsync("ratings");
        await PatchHostsAsync("reviews", "reviews.bookinfo.svc.cluster.local");
        await _cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "ratings");

        await Eventually.TrueAsync(() => CachedHost("reviews") == "reviews.bookinfo.svc.cluster.local", "the change to reach the cache");
        await Eventually.TrueAsync(() => cache.Get(VirtualServices.In("bookinfo", "ratings")) is { Item: null }, "the deletion to reach the cache");
        Assert.Equal(1, Requests("list"));
        Assert.Equal(0, Requests("get"));
    }

    [Fact]
    public async Task ADroppedWatch_ResumesFromTheLastVersion_AndOnly410ListsAgain()
    {
        var cache = await StartAsync();
        await cache.WaitForSyncAsync(TimeSpan.FromSeconds(20), TimeProvider.System, CancellationToken.None);

        _cluster.Server.Store.CloseWatches();
        await PatchHostsAsync("reviews", "after-a-drop");
        await Eventually.TrueAsync(() => CachedHost("reviews") == "after-a-drop", "the change made while the watch was down");
        Assert.Equal(1, Requests("list"));

        // The watch stays down (its reconnects fail) while a change lands and the history is compacted away.
        _cluster.Server.Faults.FailNext(3, 503, "watch", "virtualservices");
        _cluster.Server.Store.CloseWatches();
        await PatchHostsAsync("reviews", "after-410");
        _cluster.Server.Store.Compact();
        await Eventually.TrueAsync(() => CachedHost("reviews") == "after-410", "the change made before the 410");
        await Eventually.TrueAsync(() => Requests("list") == 2, "one more list, after 410 Gone");
    }

    [Fact]
    public async Task AKindTheClusterDoesNotServe_IsReportedNotServed_AndUncovered()
    {
        var widgets = new ResourceKind("example.com", "v1", "widgets");
        var cache = await StartAsync(VirtualServices, widgets);

        await Eventually.TrueAsync(() => cache.IsNotServed(widgets), "the 404 on the list to be recognised");
        await Eventually.TrueAsync(() => cache.IsSynced(VirtualServices), "the served kind to be listed");
        var waiting = await Assert.ThrowsAsync<TimeoutException>(() => cache.WaitForSyncAsync(TimeSpan.FromMilliseconds(200), TimeProvider.System, CancellationToken.None));
        Assert.Contains("widgets.example.com/v1 in bookinfo", waiting.Message, StringComparison.Ordinal);
        Assert.Null(cache.Get(widgets.In("bookinfo", "w")));
        Assert.True(cache.IsSynced(VirtualServices));
        Assert.False(cache.IsSynced(widgets));
    }

    [Fact]
    public async Task AWritesResponse_IsReadBackFromTheCache_AndAConflictRereadsTheApi()
    {
        var cache = await StartAsync();
        await cache.WaitForSyncAsync(TimeSpan.FromSeconds(20), TimeProvider.System, CancellationToken.None);
        var objects = new CustomObjects(KubernetesClients.Create(_cluster.Configuration), KubernetesResilience.Create(RouterHarness.Options, TimeProvider.System), RouterHarness.Options, cache);

        await objects.UpdateAsync(VirtualServices.In("bookinfo", "reviews"), vs => vs["spec"]!["hosts"] = new JsonArray("written"), status: false, CancellationToken.None);
        Assert.Equal("written", CachedHost("reviews"));
        Assert.Equal(0, Requests("get"));

        _cluster.Server.Faults.ConflictOnNextWrite("virtualservices");
        await objects.UpdateAsync(VirtualServices.In("bookinfo", "reviews"), vs => vs["spec"]!["hosts"] = new JsonArray("after-a-conflict"), status: false, CancellationToken.None);
        Assert.Equal("after-a-conflict", CachedHost("reviews"));
        Assert.Equal(1, Requests("get"));
    }
}
