using CanaryPilot.Sandbox.KubeApi;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CanaryPilot.Sandbox.Tests.KubeApi;

/// <summary>Istio resources and CRD-defined kinds through KubernetesClient's GenericClient and custom-objects API.</summary>
public sealed class CustomResourceTests : IAsyncLifetime
{
    private const string Istio = "networking.istio.io";
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync()
    {
        _kube = await KubeApiCluster.StartAsync();
        await _kube.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });
    }

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private static JsonObject VirtualService(string name = "reviews") => JsonNode.Parse($$"""
        {
          "apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
          "metadata": {"name": "{{name}}", "namespace": "bookinfo"},
          "spec": {"hosts": ["reviews"], "http": [{"name": "primary", "timeout": "10s",
            "route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 100}, {"destination": {"host": "reviews", "subset": "v2"}, "weight": 0}]}]}
        }
        """)!.AsObject();

    private static JsonObject Parse(object response) => JsonNode.Parse(((JsonElement)response).GetRawText())!.AsObject();

    [Fact]
    public async Task VirtualService_ThroughGenericClient_RoundTripsEveryField()
    {
        using var generic = new GenericClient(_kube.Client, Istio, "v1", "virtualservices", disposeClient: false);
        var sent = VirtualService();
        sent["spec"]!["http"]![0]!["corsPolicy"] = new JsonObject { ["allowOrigins"] = new JsonArray(new JsonObject { ["exact"] = "https://example.com" }) };

        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(sent, Istio, "v1", "bookinfo", "virtualservices");
        var read = await generic.ReadNamespacedAsync<GenericResource>("bookinfo", "reviews");
        var listed = await generic.ListNamespacedAsync<CustomResourceList<GenericResource>>("bookinfo");

        Assert.True(JsonNode.DeepEquals(sent["spec"], JsonNode.Parse(read.Fields["spec"].GetRawText())));
        Assert.Equal("reviews", Assert.Single(listed.Items).Metadata.Name);
    }

    [Fact]
    public async Task VirtualService_IsServedInEveryIstioVersion()
    {
        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(VirtualService(), Istio, "v1", "bookinfo", "virtualservices");

        foreach (var version in new[] { "v1", "v1beta1", "v1alpha3" })
        {
            var read = Parse(await _kube.Client.CustomObjects.GetNamespacedCustomObjectAsync(Istio, version, "bookinfo", "virtualservices", "reviews"));
            Assert.Equal($"{Istio}/{version}", read["apiVersion"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task DestinationRule_MergePatch_ChangesOnlyWhatItNames()
    {
        var rule = JsonNode.Parse("""
            {"apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule", "metadata": {"name": "reviews"},
             "spec": {"host": "reviews", "subsets": [{"name": "v1", "labels": {"version": "v1"}}], "trafficPolicy": {"loadBalancer": {"simple": "ROUND_ROBIN"}}}}
            """)!;
        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(rule, Istio, "v1beta1", "bookinfo", "destinationrules");

        var patch = new V1Patch("""{"spec": {"trafficPolicy": {"connectionPool": {"tcp": {"maxConnections": 100}}}}}""", V1Patch.PatchType.MergePatch);
        var patched = Parse(await _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, Istio, "v1beta1", "bookinfo", "destinationrules", "reviews"));

        Assert.Equal("ROUND_ROBIN", patched["spec"]!["trafficPolicy"]!["loadBalancer"]!["simple"]!.GetValue<string>());
        Assert.Equal(100, patched["spec"]!["trafficPolicy"]!["connectionPool"]!["tcp"]!["maxConnections"]!.GetValue<int>());
        Assert.Equal("v1", patched["spec"]!["subsets"]![0]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task JsonPatch_WithFailingTest_ChangesNothing()
    {
        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(VirtualService(), Istio, "v1", "bookinfo", "virtualservices");
        var patch = new V1Patch("""
            [{"op": "replace", "path": "/spec/http/0/route/0/weight", "value": 90},
             {"op": "test", "path": "/spec/http/0/route/1/weight", "value": 55}]
            """, V1Patch.PatchType.JsonPatch);

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, Istio, "v1", "bookinfo", "virtualservices", "reviews"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, failure.Response.StatusCode);
        var live = Parse(await _kube.Client.CustomObjects.GetNamespacedCustomObjectAsync(Istio, "v1", "bookinfo", "virtualservices", "reviews"));
        Assert.Equal(100, live["spec"]!["http"]![0]!["route"]![0]!["weight"]!.GetValue<int>());
    }

    [Fact]
    public async Task JsonPatch_CarryingAStaleResourceVersionTest_Conflicts()
    {
        var created = Parse(await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(VirtualService(), Istio, "v1", "bookinfo", "virtualservices"));
        var version = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        await _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"metadata": {"labels": {"touched": "yes"}}}""", V1Patch.PatchType.MergePatch), Istio, "v1", "bookinfo", "virtualservices", "reviews");

        var stale = new V1Patch($$$"""{"metadata": {"resourceVersion": "{{{version}}}"}, "spec": {"hosts": ["reviews", "reviews.bookinfo"]}}""", V1Patch.PatchType.MergePatch);
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() =>
            _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(stale, Istio, "v1", "bookinfo", "virtualservices", "reviews"));

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
    }

    [Fact]
    public async Task StrategicMergePatch_OnACustomResource_IsRefusedAsOnTheRealServer()
    {
        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(VirtualService(), Istio, "v1", "bookinfo", "virtualservices");

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"spec": {"hosts": ["x"]}}""", V1Patch.PatchType.StrategicMergePatch), Istio, "v1", "bookinfo", "virtualservices", "reviews"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, failure.Response.StatusCode);
    }

    [Fact]
    public async Task StrategicMergePatch_OnADeployment_MergesContainersByName()
    {
        var deployment = JsonNode.Parse("""
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "reviews-v2"},
             "spec": {"selector": {"matchLabels": {"app": "reviews"}}, "template": {"metadata": {"labels": {"app": "reviews"}},
               "spec": {"containers": [{"name": "reviews", "image": "reviews:v2", "ports": [{"containerPort": 9080}]}, {"name": "proxy", "image": "proxy:1"}]}}}}
            """)!;
        await _kube.Client.AppsV1.CreateNamespacedDeploymentAsync(KubernetesJson.Deserialize<V1Deployment>(deployment.ToJsonString()), "bookinfo");

        var patch = new V1Patch("""
            {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "reviews"}, {"name": "proxy"}],
              "containers": [{"name": "reviews", "image": "reviews:v3"}]}}}}
            """, V1Patch.PatchType.StrategicMergePatch);
        var patched = await _kube.Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "reviews-v2", "bookinfo");

        var containers = patched.Spec.Template.Spec.Containers;
        Assert.Equal([("reviews", "reviews:v3"), ("proxy", "proxy:1")], containers.Select(c => (c.Name, c.Image)));
        Assert.Equal(9080, containers[0].Ports[0].ContainerPort);
    }

    [Fact]
    public async Task Crd_WhenApplied_ServesItsKindWithStatusSubresource()
    {
        await CreateWidgetCrdAsync();
        var widget = JsonNode.Parse("""
            {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}, "status": {"phase": "Forged"}}
            """)!;

        var created = Parse(await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(widget, "example.com", "v1", "bookinfo", "widgets"));
        Assert.Null(created["status"]);

        var status = new V1Patch("""{"status": {"phase": "Ready"}, "spec": {"size": 99}}""", V1Patch.PatchType.MergePatch);
        var afterStatus = Parse(await _kube.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(status, "example.com", "v1", "bookinfo", "widgets", "w1"));
        Assert.Equal(("Ready", 3), (afterStatus["status"]!["phase"]!.GetValue<string>(), afterStatus["spec"]!["size"]!.GetValue<int>()));
        Assert.Equal(1, afterStatus["metadata"]!["generation"]!.GetValue<int>());

        var main = new V1Patch("""{"status": {"phase": "Broken"}, "spec": {"size": 4}}""", V1Patch.PatchType.MergePatch);
        var afterMain = Parse(await _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(main, "example.com", "v1", "bookinfo", "widgets", "w1"));
        Assert.Equal(("Ready", 4), (afterMain["status"]!["phase"]!.GetValue<string>(), afterMain["spec"]!["size"]!.GetValue<int>()));
        Assert.Equal(2, afterMain["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Crd_WhenDeleted_TakesItsObjectsAndStopsServing()
    {
        await CreateWidgetCrdAsync();
        await _kube.Client.CustomObjects.CreateNamespacedCustomObjectAsync(
            JsonNode.Parse("""{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}}""")!, "example.com", "v1", "bookinfo", "widgets");

        await _kube.Client.ApiextensionsV1.DeleteCustomResourceDefinitionAsync("widgets.example.com");

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "bookinfo", "widgets"));
        Assert.Equal(HttpStatusCode.NotFound, failure.Response.StatusCode);
        await CreateWidgetCrdAsync();
        var list = Parse(await _kube.Client.CustomObjects.ListNamespacedCustomObjectAsync("example.com", "v1", "bookinfo", "widgets"));
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Crd_WithMismatchedName_IsInvalid()
    {
        var crd = Crd();
        crd.Metadata.Name = "gadgets.example.com";

        var failure = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, failure.Response.StatusCode);
    }

    private async Task CreateWidgetCrdAsync()
    {
        var created = await _kube.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(Crd());
        Assert.Contains(created.Status.Conditions, c => c.Type == "Established" && c.Status == "True");
    }

    internal static V1CustomResourceDefinition Crd() => new()
    {
        Metadata = new V1ObjectMeta { Name = "widgets.example.com" },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = "example.com",
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames { Plural = "widgets", Singular = "widget", Kind = "Widget", ShortNames = ["wd"] },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = "v1", Served = true, Storage = true,
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = new V1JSONSchemaProps { Type = "object", XKubernetesPreserveUnknownFields = true } },
                    Subresources = new V1CustomResourceSubresources { Status = new object() },
                    AdditionalPrinterColumns = [new V1CustomResourceColumnDefinition { Name = "Phase", Type = "string", JsonPath = ".status.phase" }],
                },
            ],
        },
    };
}
