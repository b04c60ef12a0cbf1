using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Hosting;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Sandbox.Prometheus;
using CanaryPilot.Scheduling;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// Everything a rollout touches, on this machine: the API emulator with the CRDs and bookinfo's
/// reviews resources, a simulated mesh whose traffic follows the live VirtualService, and a real
/// Prometheus scraping it every second.
/// </summary>
internal sealed class RolloutTestBed : IAsyncDisposable
{
    public const string Plan = """
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          service:
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
          stages: [{weight: 20}, {weight: 50}, {weight: 100}]
          analysis:
            interval: 2s
            failureLimit: 0
            missingData: {minRequestVolume: 10, maxDuration: 90s}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - {name: success-rate, template: istio-success-rate, window: 4s, thresholds: {min: 95}}
              - {name: latency-p99, template: istio-request-duration-p99, window: 4s, thresholds: {max: 500}}
        """;

    /// <summary>The plan on an HTTPRoute in ambient mode: one Service per version, the waypoint's telemetry.</summary>
    public static readonly string AmbientPlan = Plan.Replace("""
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
        """, """
            httpRoutes: [{name: reviews, rule: main}]
            stable: {host: reviews-v1, port: 9080, workload: reviews-v1, version: v1}
            canary: {host: reviews-v2, port: 9080, workload: reviews-v2, version: v2}
        """, StringComparison.Ordinal);

    /// <summary>
    /// bookinfo's reviews HTTPRoute as a team writes it for ambient mode: attached to the Service (so the waypoint
    /// applies it), with filters, several rules, timeouts, a field this CanaryPilot does not know, and the canary
    /// already listed at weight 0.
    /// </summary>
    public const string FieldRichRoute = """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
         "metadata": {"name": "reviews", "namespace": "bookinfo", "labels": {"team": "reviews"}},
         "spec": {
           "parentRefs": [{"group": "", "kind": "Service", "name": "reviews", "port": 9080}],
           "rules": [
             {"name": "debug", "matches": [{"headers": [{"type": "Exact", "name": "x-debug", "value": "1"}]}],
              "backendRefs": [{"name": "reviews-v1", "port": 9080}]},
             {"name": "main",
              "matches": [{"path": {"type": "PathPrefix", "value": "/reviews"}}],
              "filters": [{"type": "RequestHeaderModifier", "requestHeaderModifier": {"set": [{"name": "x-env", "value": "prod"}]}}],
              "backendRefs": [{"name": "reviews-v1", "port": 9080, "weight": 100}, {"name": "reviews-v2", "port": 9080, "weight": 0}],
              "timeouts": {"request": "10s"},
              "someFutureGatewayField": {"enabled": true}}
           ]
         }}
        """;

    private RolloutTestBed(KubeApiCluster cluster, SimulatedMesh mesh, PrometheusServer prometheus, bool ambient = false)
    {
        Cluster = cluster;
        Mesh = mesh;
        Prometheus = prometheus;
        Ambient = ambient;
    }

    /// <summary>Whether the bed runs ambient mode: the mesh follows the reviews HTTPRoute through a waypoint.</summary>
    public bool Ambient { get; }

    public KubeApiCluster Cluster { get; }

    public SimulatedMesh Mesh { get; }

    public PrometheusServer Prometheus { get; }

    /// <summary>Both versions answer in 5–10 ms, inside one histogram bucket, so latency percentiles compare exactly.</summary>
    public static WorkloadBehavior Healthy { get; } = new() { LatencyMedianMs = 7, LatencyP99Ms = 9 };

    /// <summary>
    /// bookinfo's ratings VirtualService as its team writes it: two named routes, a timeout, retries, labels, annotations
    /// and a field this CanaryPilot does not know. The canary calls ratings through it when the bed is started with
    /// <c>canaryCalls</c>.
    /// </summary>
    public const string RatingsVirtualService = """
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "ratings", "namespace": "bookinfo", "labels": {"team": "ratings"}, "annotations": {"owner": "team-ratings"}},
         "spec": {
           "hosts": ["ratings"],
           "http": [
             {"name": "admin", "match": [{"uri": {"prefix": "/admin"}}], "route": [{"destination": {"host": "ratings", "subset": "v1"}}]},
             {"name": "default", "route": [{"destination": {"host": "ratings", "subset": "v1", "port": {"number": 9080}}}],
              "timeout": "5s", "retries": {"attempts": 2, "perTryTimeout": "3s", "retryOn": "connect-failure"},
              "someFutureIstioField": {"enabled": true}}
           ]
         }}
        """;

    /// <summary>
    /// Starts everything; the stable version behaves as <paramref name="stable"/>, <see cref="Healthy"/> when not given.
    /// With <paramref name="canaryCalls"/>, the canary calls bookinfo's ratings (<see cref="RatingsVirtualService"/>) so
    /// for every request it serves; with <paramref name="clients"/>, that many clients send the requests, keeping cookies.
    /// </summary>
    public static async Task<RolloutTestBed> StartAsync(WorkloadBehavior canary, double requestsPerSecond = 200, KubeApiOptions? api = null, WorkloadBehavior? stable = null, DependencyCall? canaryCalls = null, int clients = 0)
    {
        var cluster = await KubeApiCluster.StartAsync(api);
        foreach (var crd in CrdGenerator.Files().Values)
        {
            await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd));
        }

        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });
        await CreateAsync(cluster, "virtualservices", """
            {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {"hosts": ["reviews"], "http": [{"name": "primary", "timeout": "10s", "route": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}}
            """);
        if (canaryCalls is not null)
        {
            await CreateAsync(cluster, "virtualservices", RatingsVirtualService);
        }

        await CreateAsync(cluster, "destinationrules", """
            {"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": {"name": "reviews", "namespace": "bookinfo"},
             "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}, {"name": "v2", "labels": {"version": "v2"}}]}}
            """);
        var mesh = await SimulatedMesh.StartAsync(
            new MeshOptions
            {
                Namespace = "bookinfo",
                Service = "reviews",
                VirtualService = "reviews",
                RequestsPerSecond = requestsPerSecond,
                Clients = clients,
                Workloads =
                [
                    new SimulatedWorkload { Workload = "reviews-v1", Version = "v1", Host = "reviews", Subset = "v1", Behavior = stable ?? Healthy },
                    new SimulatedWorkload { Workload = "reviews-v2", Version = "v2", Host = "reviews", Subset = "v2", Behavior = canary, Calls = canaryCalls },
                ],
                Dependency = canaryCalls is null ? null : new SimulatedDependency { Host = "ratings", VirtualService = "ratings", Workload = new("ratings-v1", "bookinfo", "ratings", "v1") },
            },
            cluster.Client);
        await CreateDeploymentsAsync(cluster);
        var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [mesh.MetricsAddress] });
        return new RolloutTestBed(cluster, mesh, prometheus);
    }

    /// <summary>The two versions' Deployments, each with 2 replicas available, as a Deployment controller would report them.</summary>
    private static async Task CreateDeploymentsAsync(KubeApiCluster cluster)
    {
        foreach (var version in new[] { "v1", "v2" })
        {
            var labels = new Dictionary<string, string> { ["app"] = "reviews", ["version"] = version };
            await cluster.Client.AppsV1.CreateNamespacedDeploymentAsync(
                new V1Deployment
                {
                    Metadata = new V1ObjectMeta { Name = $"reviews-{version}", Labels = labels },
                    Spec = new V1DeploymentSpec
                    {
                        Replicas = 2,
                        Selector = new V1LabelSelector { MatchLabels = labels },
                        Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "reviews", Image = $"istio/examples-bookinfo-reviews-{version}:1.20.2" }] } },
                    },
                },
                "bookinfo");
            await SetReplicasAsync(cluster, $"reviews-{version}", desired: 2, available: 2);
        }
    }

    /// <summary>Sets a Deployment's replicas and its status as its controller would: <paramref name="available"/> of <paramref name="desired"/> available.</summary>
    public static async Task SetReplicasAsync(KubeApiCluster cluster, string name, int desired, int available)
    {
        var deployment = await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(name, "bookinfo");
        if (deployment.Spec.Replicas != desired)
        {
            deployment.Spec.Replicas = desired;
            deployment = await cluster.Client.AppsV1.ReplaceNamespacedDeploymentAsync(deployment, name, "bookinfo");
        }

        deployment.Status = new V1DeploymentStatus
        {
            ObservedGeneration = deployment.Metadata.Generation,
            Replicas = desired,
            ReadyReplicas = available,
            AvailableReplicas = available,
            UpdatedReplicas = desired,
        };
        await cluster.Client.AppsV1.ReplaceNamespacedDeploymentStatusAsync(deployment, name, "bookinfo");
    }

    /// <summary>
    /// Starts ambient mode: a namespace labelled for ambient, the reviews Service with a waypoint, one Service per
    /// version (the canary's only when <paramref name="canaryService"/>: without it, the waypoint refuses the route),
    /// and <paramref name="route"/>, which the mesh follows and answers with the parents' verdict.
    /// </summary>
    public static async Task<RolloutTestBed> StartAmbientAsync(WorkloadBehavior canary, bool canaryService = true, string route = FieldRichRoute)
    {
        var cluster = await KubeApiCluster.StartAsync();
        foreach (var crd in CrdGenerator.Files().Values)
        {
            await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubernetesYaml.Deserialize<V1CustomResourceDefinition>(crd));
        }

        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace
        {
            Metadata = new V1ObjectMeta { Name = "bookinfo", Labels = new Dictionary<string, string> { ["istio.io/dataplane-mode"] = "ambient", ["istio.io/use-waypoint"] = "waypoint" } },
        });
        foreach (var service in canaryService ? new[] { "reviews", "reviews-v1", "reviews-v2" } : ["reviews", "reviews-v1"])
        {
            await CreateServiceAsync(cluster, service);
        }

        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "waypoint", "namespace": "bookinfo", "labels": {"istio.io/waypoint-for": "service"}},
             "spec": {"gatewayClassName": "istio-waypoint", "listeners": [{"name": "mesh", "port": 15008, "protocol": "HBONE"}]}}
            """)!, "gateway.networking.k8s.io", "v1", "bookinfo", "gateways");
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(route)!, "gateway.networking.k8s.io", "v1", "bookinfo", "httproutes");
        var mesh = await SimulatedMesh.StartAsync(
            new MeshOptions
            {
                Namespace = "bookinfo",
                Service = "reviews",
                HttpRoute = "reviews",
                RequestsPerSecond = 200,
                Workloads =
                [
                    new SimulatedWorkload { Workload = "reviews-v1", Version = "v1", Host = "reviews-v1", Behavior = Healthy },
                    new SimulatedWorkload { Workload = "reviews-v2", Version = "v2", Host = "reviews-v2", Behavior = canary },
                ],
            },
            cluster.Client);
        await CreateDeploymentsAsync(cluster);
        var prometheus = await PrometheusServer.StartAsync(new PrometheusServerOptions { Targets = [mesh.MetricsAddress] });
        return new RolloutTestBed(cluster, mesh, prometheus, ambient: true);
    }

    /// <summary>A Service of bookinfo's, on reviews' port.</summary>
    public static async Task CreateServiceAsync(KubeApiCluster cluster, string name) =>
        await cluster.Client.CoreV1.CreateNamespacedServiceAsync(
            new V1Service
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "reviews" } },
                Spec = new V1ServiceSpec { Ports = [new V1ServicePort { Name = "http", Port = 9080 }], Selector = new Dictionary<string, string> { ["app"] = "reviews" } },
            },
            "bookinfo");

    /// <summary>
    /// A VirtualService as the cluster holds it, less what the API server keeps for itself (resourceVersion, generation,
    /// managedFields): what its team wrote, and what CanaryPilot changed of it.
    /// </summary>
    public async Task<string> VirtualServiceTextAsync(string name)
    {
        var found = JsonNode.Parse((await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", name)).ToString()!)!.AsObject();
        var metadata = found["metadata"]!.AsObject();
        foreach (var field in new[] { "resourceVersion", "generation", "managedFields" })
        {
            metadata.Remove(field);
        }

        return found.ToJsonString();
    }

    /// <summary>The reviews HTTPRoute as the cluster holds it.</summary>
    public async Task<JsonObject> RouteAsync() =>
        JsonNode.Parse((await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("gateway.networking.k8s.io", "v1", "bookinfo", "httproutes", "reviews")).ToString()!)!.AsObject();

    /// <summary>A rollout engine (reconciler, Quartz scheduler) wired as the service and the CLI wire it.</summary>
    public ServiceProvider StartEngine()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRolloutEngine(new EngineSettings
        {
            Cluster = Cluster.Configuration,
            Prometheus = Prometheus.Address,
            Kubernetes = new KubernetesOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(10) },
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>
    /// Schedules the reviews rollout on <paramref name="engine"/> and hands each status it reports, with the live canary
    /// weight, to <paramref name="until"/>, until that says stop (three minutes at the most).
    /// </summary>
    public async Task<List<(RolloutStatus Status, int LiveWeight)>> FollowAsync(ServiceProvider engine, Func<RolloutStatus, Task<bool>> until)
    {
        await (await engine.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        await engine.GetRequiredService<RolloutScheduler>().ScheduleAsync("bookinfo", "reviews", TimeSpan.FromSeconds(2), CancellationToken.None);
        var seen = new List<(RolloutStatus, int)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(deadline.Token))
        {
            Assert.Null(report.Failure);
            var status = report.Result!.Status!;
            seen.Add((status, await LiveCanaryWeightAsync()));
            if (await until(status))
            {
                return seen;
            }
        }

        throw new InvalidOperationException("the progress channel ended");
    }

    /// <summary>Follows the rollout to its end.</summary>
    public Task<List<(RolloutStatus Status, int LiveWeight)>> FollowToTheEndAsync(ServiceProvider engine) =>
        FollowAsync(engine, status => Task.FromResult(RolloutMachine.IsTerminal(status.Phase)));

    /// <summary>Writes a plan file for <c>canarypilot run</c>, in the bed's own directory.</summary>
    public string WritePlan(string yaml = Plan)
    {
        var path = Path.Combine(Cluster.Directory, $"plan-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public async Task CreatePlanAsync(string yaml = Plan) =>
        (await KubectlProcess.RunWithInputAsync(Cluster.KubeconfigPath, yaml, "create", "-f", "-")).Succeeded();

    /// <summary>The reviews RolloutPlan as the cluster holds it, status included.</summary>
    public async Task<JsonNode> PlanAsync() =>
        JsonNode.Parse((await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews")).ToString()!)!;

    /// <summary>The reviews rollout's phase, as its status says.</summary>
    public async Task<string?> PhaseAsync() => (string?)(await PlanAsync())["status"]?["phase"];

    /// <summary>The canary's (v2's) live weight in the VirtualService (0 when it has no canary destination).</summary>
    public Task<int> LiveCanaryWeightAsync() => LiveWeightAsync("v2");

    /// <summary>The live weight of <paramref name="subset"/> in the VirtualService, or of that version's Service in the HTTPRoute's main rule (0 when it has none there).</summary>
    public async Task<int> LiveWeightAsync(string subset)
    {
        if (Ambient)
        {
            var rules = (await RouteAsync())["spec"]!["rules"]!.AsArray();
            var main = rules.First(r => r!["name"]?.GetValue<string>() == "main")!["backendRefs"]!.AsArray();
            return main.FirstOrDefault(b => b!["name"]!.GetValue<string>() == $"reviews-{subset}")?["weight"]?.GetValue<int>() ?? 0;
        }

        var found = await Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews");
        var route = JsonNode.Parse(found.ToString()!)!["spec"]!["http"]![0]!["route"]!.AsArray();
        return route.FirstOrDefault(d => d!["destination"]!["subset"]!.GetValue<string>() == subset)?["weight"]?.GetValue<int>() ?? 0;
    }

    private static async Task CreateAsync(KubeApiCluster cluster, string plural, string json) =>
        await cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse(json)!, "networking.istio.io", "v1", "bookinfo", plural);

    public async ValueTask DisposeAsync()
    {
        await Prometheus.DisposeAsync();
        await Mesh.DisposeAsync();
        await Cluster.DisposeAsync();
    }
}
