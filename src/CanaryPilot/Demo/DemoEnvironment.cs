using System.Reflection;
using System.Text.Json.Nodes;
using CanaryPilot.Core.Documents;
using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Sandbox.Prometheus;
using k8s;
using k8s.Models;

namespace CanaryPilot.Demo;

/// <summary>
/// Everything the demo runs on this machine: the API emulator with CanaryPilot's CRDs and the bookinfo
/// example applied, a simulated reviews service whose traffic follows the live VirtualService (in ambient
/// mode, the live HTTPRoute through a waypoint), and a real Prometheus scraping it every second.
/// </summary>
internal sealed class DemoEnvironment : IAsyncDisposable
{
    private DemoEnvironment(KubeApiCluster cluster, SimulatedMesh mesh, PrometheusServer prometheus)
    {
        Cluster = cluster;
        Mesh = mesh;
        Prometheus = prometheus;
    }

    public KubeApiCluster Cluster { get; }

    public SimulatedMesh Mesh { get; }

    public PrometheusServer Prometheus { get; }

    public static async Task<DemoEnvironment> StartAsync(DemoScenario scenario, CancellationToken cancellationToken, DemoMesh meshMode = DemoMesh.Sidecar)
    {
        var ambient = meshMode == DemoMesh.Ambient;
        var cluster = await KubeApiCluster.StartAsync(cancellationToken: cancellationToken);
        try
        {
            foreach (var crd in CrdGenerator.Files().Values)
            {
                await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd), cancellationToken: cancellationToken);
            }

            if (!ambient)
            {
                await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } }, cancellationToken: cancellationToken);
            }

            await ApplyBookinfoAsync(cluster.Client, ambient ? "bookinfo-ambient/" : "bookinfo/", cancellationToken);
            // No Deployment controller runs here: the demo reports the replicas as one would, all available unless the scenario says not yet.
            await SetAvailableAsync(cluster.Client, "reviews-v1", null, cancellationToken);
            await SetAvailableAsync(cluster.Client, "reviews-v2", scenario.CanaryStartsUnready ? 0 : null, cancellationToken);
            var mesh = await SimulatedMesh.StartAsync(
                new MeshOptions
                {
                    Namespace = "bookinfo",
                    Service = "reviews",
                    VirtualService = ambient ? null : "reviews",
                    HttpRoute = ambient ? "reviews" : null,
                    RequestsPerSecond = scenario.RequestsPerSecond,
                    Workloads = ambient
                        ? [new SimulatedWorkload { Workload = "reviews-v1", Version = "v1", Host = "reviews-v1", Behavior = scenario.Stable }, scenario.Canary with { Host = "reviews-v2", Subset = null }]
                        : [new SimulatedWorkload { Workload = "reviews-v1", Version = "v1", Host = "reviews", Subset = "v1", Behavior = scenario.Stable, Calls = scenario.StableCalls }, scenario.Canary],
                    Dependency = scenario.Canary.Calls is null ? null : Ratings,
                },
                cluster.Client,
                cancellationToken: cancellationToken);
            var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [mesh.MetricsAddress] }, cancellationToken);
            return new DemoEnvironment(cluster, mesh, prometheus);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The example's resources as committed: for sidecar mode the Service, Deployments, DestinationRule and
    /// VirtualService; for ambient mode the labelled namespace, the per-version Services, the waypoint and the HTTPRoute.
    /// </summary>
    private static async Task ApplyBookinfoAsync(k8s.Kubernetes client, string example, CancellationToken cancellationToken)
    {
        var assembly = typeof(DemoEnvironment).Assembly;
        // The namespace first, then the rest in name order.
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(example, StringComparison.Ordinal)).OrderBy(n => !n.EndsWith("/namespace.yaml", StringComparison.Ordinal)).ThenBy(n => n, StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            foreach (var document in new InputLoader().LoadText(resource, await reader.ReadToEndAsync(cancellationToken)).Documents)
            {
                var json = SourceJson.From(document.Root)!.AsObject();
                switch (document.Kind)
                {
                    case "Namespace":
                        await client.CoreV1.CreateNamespaceAsync(KubernetesJson.Deserialize<V1Namespace>(json.ToJsonString()), cancellationToken: cancellationToken);
                        break;
                    case "Service":
                        await client.CoreV1.CreateNamespacedServiceAsync(KubernetesJson.Deserialize<V1Service>(json.ToJsonString()), "bookinfo", cancellationToken: cancellationToken);
                        break;
                    default:
                        var (group, version) = document.ApiVersion!.Split('/') is [var g, var v] ? (g, v) : ("", document.ApiVersion!);
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(json, group, version, "bookinfo", Plural(document.Kind!), cancellationToken: cancellationToken);
                        break;
                }
            }
        }
    }

    private static string Plural(string kind) => kind.ToLowerInvariant() + "s";

    /// <summary>bookinfo's ratings, which reviews v2 calls, through the example's ratings VirtualService.</summary>
    private static readonly SimulatedDependency Ratings = new() { Host = "ratings", VirtualService = "ratings", Workload = new("ratings-v1", "bookinfo", "ratings", "v1") };

    /// <summary>The ratings VirtualService as the cluster holds it, without what the API server keeps for itself.</summary>
    public async Task<JsonObject> RatingsAsync(CancellationToken cancellationToken)
    {
        var found = JsonNode.Parse(((System.Text.Json.JsonElement)await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync(
            "networking.istio.io", "v1", "bookinfo", "virtualservices", "ratings", cancellationToken)).GetRawText())!.AsObject();
        foreach (var field in new[] { "resourceVersion", "generation", "managedFields" })
        {
            found["metadata"]!.AsObject().Remove(field);
        }

        return found;
    }

    /// <summary>The canary's pods become ready: its Deployment reports all its replicas available.</summary>
    public Task CanaryBecomesReadyAsync(CancellationToken cancellationToken) => SetAvailableAsync(Cluster.Client, "reviews-v2", null, cancellationToken);

    /// <summary>Writes a bookinfo Deployment's status as its controller would: <paramref name="available"/> replicas available, all of them when null.</summary>
    private static async Task SetAvailableAsync(k8s.Kubernetes client, string name, int? available, CancellationToken cancellationToken)
    {
        var deployment = await client.AppsV1.ReadNamespacedDeploymentAsync(name, "bookinfo", cancellationToken: cancellationToken);
        var desired = deployment.Spec.Replicas ?? 1;
        deployment.Status = new V1DeploymentStatus
        {
            ObservedGeneration = deployment.Metadata.Generation,
            Replicas = desired,
            UpdatedReplicas = desired,
            ReadyReplicas = available ?? desired,
            AvailableReplicas = available ?? desired,
        };
        await client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, name, "bookinfo", cancellationToken: cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await Prometheus.DisposeAsync();
        await Mesh.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
