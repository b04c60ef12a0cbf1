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
/// example applied, a simulated reviews service whose traffic follows the live VirtualService, and a
/// real Prometheus scraping it every second.
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

    public static async Task<DemoEnvironment> StartAsync(DemoScenario scenario, CancellationToken cancellationToken)
    {
        var cluster = await KubeApiCluster.StartAsync(cancellationToken: cancellationToken);
        try
        {
            foreach (var crd in CrdGenerator.Files().Values)
            {
                await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd), cancellationToken: cancellationToken);
            }

            await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } }, cancellationToken: cancellationToken);
            await ApplyBookinfoAsync(cluster.Client, cancellationToken);
            var mesh = await SimulatedMesh.StartAsync(
                new MeshOptions
                {
                    Namespace = "bookinfo",
                    Service = "reviews",
                    VirtualService = "reviews",
                    RequestsPerSecond = scenario.RequestsPerSecond,
                    Workloads = [new SimulatedWorkload { Workload = "reviews-v1", Version = "v1", Host = "reviews", Subset = "v1", Behavior = scenario.Stable }, scenario.Canary],
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

    /// <summary>The example's Service, Deployments, DestinationRule and VirtualService, as committed.</summary>
    private static async Task ApplyBookinfoAsync(k8s.Kubernetes client, CancellationToken cancellationToken)
    {
        var assembly = typeof(DemoEnvironment).Assembly;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("bookinfo/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            foreach (var document in new InputLoader().LoadText(resource, await reader.ReadToEndAsync(cancellationToken)).Documents)
            {
                var json = SourceJson.From(document.Root)!.AsObject();
                switch (document.Kind)
                {
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

    public async ValueTask DisposeAsync()
    {
        await Prometheus.DisposeAsync();
        await Mesh.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
