using System.Text.Json.Nodes;
using CanaryPilot.Kubernetes.Istio;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Kubernetes.Tests;

/// <summary>An emulated cluster with a bookinfo namespace, and the Istio router talking to it over HTTP.</summary>
internal sealed class RouterHarness : IAsyncDisposable
{
    public static readonly KubernetesOptions Options = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(1), MaxRetries = 4 };

    private RouterHarness(KubeApiCluster cluster)
    {
        Cluster = cluster;
        Objects = new CustomObjects(cluster.Client, KubernetesResilience.Create(Options, TimeProvider.System), Options);
        Router = new IstioTrafficRouter(Objects, Options);
    }

    public KubeApiCluster Cluster { get; }

    public CustomObjects Objects { get; }

    public IstioTrafficRouter Router { get; }

    public static async Task<RouterHarness> StartAsync()
    {
        var cluster = await KubeApiCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });
        return new RouterHarness(cluster);
    }

    public async Task CreateAsync(string plural, string json, string group = "networking.istio.io") =>
        await Cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(json)!, group, "v1", "bookinfo", plural);

    public async Task<JsonObject> GetAsync(string plural, string name, string group = "networking.istio.io") =>
        (await Objects.GetAsync(new ResourceRef(group, "v1", "bookinfo", plural, name), CancellationToken.None))!;

    public async Task<JsonObject> SpecAsync(string plural, string name) => (JsonObject)(await GetAsync(plural, name))["spec"]!.DeepClone();

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
