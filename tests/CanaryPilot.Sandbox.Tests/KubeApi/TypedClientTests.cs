using CanaryPilot.Sandbox.KubeApi;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CanaryPilot.Sandbox.Tests.KubeApi;

/// <summary>KubernetesClient's typed calls against the emulator, over real HTTP.</summary>
public sealed class TypedClientTests : IAsyncLifetime
{
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync() => _kube = await KubeApiCluster.StartAsync();

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private static V1Deployment Deployment(string name, string image = "reviews:v1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = "reviews", ["version"] = name[^2..] } },
        Spec = new V1DeploymentSpec
        {
            Replicas = 2,
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "reviews" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "reviews" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "reviews", Image = image, Ports = [new V1ContainerPort { ContainerPort = 9080 }] }] },
            },
        },
    };

    [Fact]
    public async Task Deployment_CreateReadReplaceDelete_FollowsTheServersBookkeeping()
    {
        var created = await _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "default");

        Assert.NotNull(created.Metadata.Uid);
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal(1, created.Metadata.Generation);

        created.Spec.Replicas = 3;
        var replaced = await _kube.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "reviews-v1", "default");
        Assert.Equal(2, replaced.Metadata.Generation);
        Assert.True(long.Parse(replaced.Metadata.ResourceVersion) > long.Parse(created.Metadata.ResourceVersion));

        replaced.Metadata.Labels["team"] = "bookinfo";
        var relabelled = await _kube.Client.AppsV1.ReplaceNamespacedDeploymentAsync(replaced, "reviews-v1", "default");
        Assert.Equal(2, relabelled.Metadata.Generation);

        await _kube.Client.AppsV1.DeleteNamespacedDeploymentAsync("reviews-v1", "default");
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.AppsV1.ReadNamespacedDeploymentAsync("reviews-v1", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Contains("\"reason\":\"NotFound\"", missing.Response.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_Gets409ConflictStatus()
    {
        var created = await _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "default");
        var fresh = await _kube.Client.AppsV1.ReadNamespacedDeploymentAsync("reviews-v1", "default");
        fresh.Spec.Replicas = 5;
        await _kube.Client.AppsV1.ReplaceNamespacedDeploymentAsync(fresh, "reviews-v1", "default");

        created.Spec.Replicas = 1;
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.AppsV1.ReplaceNamespacedDeploymentAsync(created, "reviews-v1", "default"));

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(conflict.Response.Content);
        Assert.Equal(("Status", "Failure", "Conflict", 409), (status.Kind, status.Status, status.Reason, status.Code));
        Assert.Equal(("reviews-v1", "apps", "deployments"), (status.Details.Name, status.Details.Group, status.Details.Kind));
        Assert.Equal(5, (await _kube.Client.AppsV1.ReadNamespacedDeploymentAsync("reviews-v1", "default")).Spec.Replicas);
    }

    [Fact]
    public async Task Create_Twice_Gets409AlreadyExists()
    {
        await _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "default");

        var again = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "default"));

        Assert.Equal(HttpStatusCode.Conflict, again.Response.StatusCode);
        Assert.Equal("AlreadyExists", KubernetesJson.Deserialize<V1Status>(again.Response.Content).Reason);
    }

    [Fact]
    public async Task Create_InMissingNamespace_Gets404ForTheNamespace()
    {
        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "nowhere"));

        Assert.Equal(HttpStatusCode.NotFound, failure.Response.StatusCode);
        Assert.Equal("namespaces \"nowhere\" not found", KubernetesJson.Deserialize<V1Status>(failure.Response.Content).Message);
    }

    [Fact]
    public async Task Create_WithInvalidName_Gets422Invalid()
    {
        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("Reviews_V1"), "default"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, failure.Response.StatusCode);
        var status = KubernetesJson.Deserialize<V1Status>(failure.Response.Content);
        Assert.Equal(("Invalid", "metadata.name"), (status.Reason, status.Details.Causes[0].Field));
    }

    [Fact]
    public async Task Create_WithGenerateName_GetsAUniqueName()
    {
        var first = await _kube.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "run-" } }, "default");
        var second = await _kube.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { GenerateName = "run-" } }, "default");

        Assert.StartsWith("run-", first.Metadata.Name, StringComparison.Ordinal);
        Assert.NotEqual(first.Metadata.Name, second.Metadata.Name);
    }

    [Fact]
    public async Task DryRun_ValidatesWithoutPersisting()
    {
        await _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(Deployment("reviews-v1"), "default", dryRun: "All");

        var list = await _kube.Client.AppsV1.ListNamespacedDeploymentAsync("default");

        Assert.Empty(list.Items);
    }

    [Fact]
    public async Task Lease_CreateAndRenew_KeepsItsHolder()
    {
        var lease = await _kube.Client.CoordinationV1.CreateNamespacedLeaseAsync(
            new V1Lease { Metadata = new V1ObjectMeta { Name = "canarypilot" }, Spec = new V1LeaseSpec { HolderIdentity = "a", LeaseDurationSeconds = 15, AcquireTime = DateTime.UtcNow } },
            "kube-system");
        lease.Spec.RenewTime = DateTime.UtcNow;
        var renewed = await _kube.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "canarypilot", "kube-system");

        Assert.Equal("a", renewed.Spec.HolderIdentity);
        Assert.NotNull(renewed.Spec.RenewTime);
    }

    [Fact]
    public async Task Events_InBothApiGroups_AreStoredAndListed()
    {
        await _kube.Client.CoreV1.CreateNamespacedEventAsync(
            new Corev1Event
            {
                Metadata = new V1ObjectMeta { Name = "reviews.1" },
                InvolvedObject = new V1ObjectReference { Kind = "RolloutPlan", Name = "reviews", NamespaceProperty = "default" },
                Reason = "Promoted",
                Message = "canary promoted",
                Type = "Normal",
            },
            "default");
        await _kube.Client.EventsV1.CreateNamespacedEventAsync(
            new Eventsv1Event
            {
                Metadata = new V1ObjectMeta { Name = "reviews.2" },
                EventTime = DateTime.UtcNow,
                Reason = "StageAdvanced",
                Note = "25%",
                Type = "Normal",
                Action = "Advance",
                ReportingController = "canarypilot.io/controller",
                ReportingInstance = "canarypilot-0",
                Regarding = new V1ObjectReference { Kind = "RolloutPlan", Name = "reviews", NamespaceProperty = "default" },
            },
            "default");

        var core = await _kube.Client.CoreV1.ListNamespacedEventAsync("default");
        var events = await _kube.Client.EventsV1.ListNamespacedEventAsync("default");

        Assert.Equal(["Promoted"], core.Items.Select(e => e.Reason));
        Assert.Equal(["StageAdvanced"], events.Items.Select(e => e.Reason));
    }

    [Fact]
    public async Task List_WithLabelSelectors_FiltersAsTheRealServer()
    {
        foreach (var (name, labels) in new[] { ("a", "app=reviews,version=v1"), ("b", "app=reviews,version=v2"), ("c", "app=ratings"), ("d", "") })
        {
            var map = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=')).ToDictionary(p => p[0], p => p[1]);
            await _kube.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = map } }, "default");
        }

        async Task<string> Names(string selector) =>
            string.Join(",", (await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector)).Items.Select(i => i.Metadata.Name));

        Assert.Equal("a,b", await Names("app=reviews"));
        Assert.Equal("a,b", await Names("app==reviews"));
        Assert.Equal("c,d", await Names("app!=reviews"));
        Assert.Equal("a,c", await Names("app in (ratings,reviews),version notin (v2)"));
        Assert.Equal("a,b", await Names("version"));
        Assert.Equal("c,d", await Names("!version"));
        Assert.Equal("b", await Names("app=reviews,version notin (v1)"));
    }
}
