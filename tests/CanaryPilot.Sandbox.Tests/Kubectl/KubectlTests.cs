using CanaryPilot.Sandbox.KubeApi;
using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace CanaryPilot.Sandbox.Tests.Kubectl;

/// <summary>The real kubectl against the emulator: what a person does with the sandbox.</summary>
public sealed class KubectlTests : IAsyncLifetime
{
    private static readonly string Examples = Path.Combine(Repository.Root, "deploy", "examples", "bookinfo");
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync()
    {
        _kube = await KubeApiCluster.StartAsync();
        (await KubectlAsync("create", "namespace", "bookinfo")).Succeeded();
    }

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private Task<KubectlProcess.Result> KubectlAsync(params string[] args) => KubectlProcess.RunAsync(_kube.KubeconfigPath, args);

    private async Task ApplyBookinfoAsync()
    {
        foreach (var file in new[] { "reviews-deployments.yaml", "reviews-destinationrule.yaml", "reviews-virtualservice.yaml" })
        {
            (await KubectlAsync("apply", "-f", Path.Combine(Examples, file))).Succeeded();
        }
    }

    private async Task<JsonNode> GetJsonAsync(params string[] what) =>
        JsonNode.Parse((await KubectlAsync(["get", "-n", "bookinfo", "-o", "json", .. what])).Succeeded().Out)!;

    [Fact]
    public async Task Apply_BookinfoExample_CreatesEveryResourceAndKeepsTheLastAppliedConfiguration()
    {
        await ApplyBookinfoAsync();

        var names = (await KubectlAsync("get", "deployments,services,destinationrules,virtualservices", "-n", "bookinfo", "-o", "name")).Succeeded().Out;
        var virtualService = await GetJsonAsync("virtualservice", "reviews");

        Assert.Equal(
            ["deployment.apps/reviews-v1", "deployment.apps/reviews-v2", "service/reviews", "destinationrule.networking.istio.io/reviews", "virtualservice.networking.istio.io/reviews"],
            names.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("10s", virtualService["spec"]!["http"]![0]!["timeout"]!.GetValue<string>());
        Assert.NotNull(virtualService["metadata"]!["annotations"]!["kubectl.kubernetes.io/last-applied-configuration"]);
    }

    [Fact]
    public async Task Apply_BookinfoAmbientExample_ServesTheGatewayApiKinds()
    {
        var ambient = Path.Combine(Repository.Root, "deploy", "examples", "bookinfo-ambient");
        foreach (var file in new[] { "namespace.yaml", "reviews-services.yaml", "reviews-deployments.yaml", "waypoint.yaml", "reviews-httproute.yaml" })
        {
            (await KubectlAsync("apply", "-f", Path.Combine(ambient, file))).Succeeded();
        }

        var names = (await KubectlAsync("get", "httproutes,gateways.gateway.networking.k8s.io,services", "-n", "bookinfo", "-o", "name")).Succeeded().Out;
        var route = await GetJsonAsync("httproute", "reviews");
        var labels = (await GetJsonAsync("namespace", "bookinfo"))["metadata"]!["labels"]!;

        Assert.Equal(
            ["httproute.gateway.networking.k8s.io/reviews", "gateway.gateway.networking.k8s.io/waypoint", "service/reviews", "service/reviews-v1", "service/reviews-v2"],
            names.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["debug", "main"], route["spec"]!["rules"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal("ambient", labels["istio.io/dataplane-mode"]!.GetValue<string>());
        var table = (await KubectlAsync("get", "gateways.gateway.networking.k8s.io", "-n", "bookinfo")).Succeeded().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["NAME", "CLASS", "ADDRESS", "PROGRAMMED", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["waypoint", "istio-waypoint"], table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..2]);
    }

    [Fact]
    public async Task Apply_Again_WithAChange_PatchesOnlyThatChange()
    {
        await ApplyBookinfoAsync();
        var changed = File.ReadAllText(Path.Combine(Examples, "reviews-deployments.yaml")).Replace("reviews-v2:1.20.2", "reviews-v2:1.20.3", StringComparison.Ordinal);

        var result = (await KubectlProcess.RunWithInputAsync(_kube.KubeconfigPath, changed, "apply", "-f", "-")).Succeeded();
        var deployment = await GetJsonAsync("deployment", "reviews-v2");

        Assert.Equal(["service/reviews unchanged", "deployment.apps/reviews-v1 unchanged", "deployment.apps/reviews-v2 configured"], result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", container["image"]!.GetValue<string>());
        Assert.Equal(9080, container["ports"]![0]!["containerPort"]!.GetValue<int>());
        Assert.Equal(2, deployment["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Get_InYamlJsonAndName_PrintsTheObject()
    {
        await ApplyBookinfoAsync();

        var yaml = (await KubectlAsync("get", "vs", "reviews", "-n", "bookinfo", "-o", "yaml")).Succeeded().Out;
        var name = (await KubectlAsync("get", "dr", "reviews", "-n", "bookinfo", "-o", "name")).Succeeded().Out;
        var table = (await KubectlAsync("get", "vs", "-n", "bookinfo")).Succeeded().Out;

        Assert.Contains("kind: VirtualService", yaml, StringComparison.Ordinal);
        Assert.Contains("subset: v1", yaml, StringComparison.Ordinal);
        Assert.Equal("destinationrule.networking.istio.io/reviews\n", name);
        Assert.StartsWith("NAME      AGE\nreviews   ", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LabelAndPatchBothWays_ChangeTheLiveObject()
    {
        await ApplyBookinfoAsync();

        (await KubectlAsync("label", "vs", "reviews", "-n", "bookinfo", "team=reviews")).Succeeded();
        (await KubectlAsync("patch", "vs", "reviews", "-n", "bookinfo", "--type", "merge", "-p", """{"spec": {"http": [{"name": "reviews-primary", "route": [{"destination": {"host": "reviews", "subset": "v1"}, "weight": 90}, {"destination": {"host": "reviews", "subset": "v2"}, "weight": 10}]}]}}""")).Succeeded();
        (await KubectlAsync("patch", "vs", "reviews", "-n", "bookinfo", "--type", "json", "-p", """[{"op": "replace", "path": "/spec/http/0/route/0/weight", "value": 75}, {"op": "replace", "path": "/spec/http/0/route/1/weight", "value": 25}]""")).Succeeded();

        var selected = await GetJsonAsync("vs", "-l", "team=reviews");
        var route = selected["items"]![0]!["spec"]!["http"]![0]!["route"]!.AsArray();
        Assert.Equal([("v1", 75), ("v2", 25)], route.Select(r => (r!["destination"]!["subset"]!.GetValue<string>(), r["weight"]!.GetValue<int>())));
    }

    [Fact]
    public async Task Delete_RemovesTheObject()
    {
        await ApplyBookinfoAsync();

        var deleted = (await KubectlAsync("delete", "vs", "reviews", "-n", "bookinfo")).Succeeded();
        var missing = await KubectlAsync("get", "vs", "reviews", "-n", "bookinfo");

        Assert.Equal("virtualservice.networking.istio.io \"reviews\" deleted\n", deleted.Out);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("NotFound", missing.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSecretAndRoleBinding_AreStoredAsKubectlMeantThem()
    {
        var tokens = Path.Combine(_kube.Directory, "tokens.txt");
        await File.WriteAllTextAsync(tokens, "5f2c:operator\n");

        (await KubectlAsync("create", "secret", "generic", "api-tokens", "-n", "bookinfo", $"--from-file=tokens={tokens}", "--from-literal=note=rotated")).Succeeded();
        (await KubectlAsync("create", "rolebinding", "readers", "-n", "bookinfo", "--clusterrole", "view", "--serviceaccount", "ops:auditor")).Succeeded();

        var secret = await _kube.Client.CoreV1.ReadNamespacedSecretAsync("api-tokens", "bookinfo");
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("5f2c:operator\n", System.Text.Encoding.UTF8.GetString(secret.Data["tokens"]));
        Assert.Equal("rotated", System.Text.Encoding.UTF8.GetString(secret.Data["note"]));
        var binding = await _kube.Client.RbacAuthorizationV1.ReadNamespacedRoleBindingAsync("readers", "bookinfo");
        Assert.Equal(("ClusterRole", "view"), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "auditor", "ops"), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    [Fact]
    public async Task ServerSideDryRun_PersistsNothing()
    {
        var result = (await KubectlAsync("apply", "--dry-run=server", "-f", Path.Combine(Examples, "reviews-virtualservice.yaml"))).Succeeded();
        var list = (await KubectlAsync("get", "vs", "-n", "bookinfo", "-o", "name")).Succeeded();

        Assert.Equal("virtualservice.networking.istio.io/reviews created (server dry run)\n", result.Out);
        Assert.Equal("", list.Out);
    }

    [Fact]
    public async Task Watch_SeesAChangeMadeThroughTheApi()
    {
        await ApplyBookinfoAsync();
        using var watch = Process.Start(KubectlProcess.StartInfo(_kube.KubeconfigPath, ["get", "vs", "-n", "bookinfo", "-w", "-o", "custom-columns=NAME:.metadata.name,TIMEOUT:.spec.http[0].timeout", "--no-headers"]))!;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.Equal("reviews   10s", (await watch.StandardOutput.ReadLineAsync(deadline.Token))?.Trim());

            var patch = new V1Patch("""{"spec": {"http": [{"name": "reviews-primary", "timeout": "3s", "route": [{"destination": {"host": "reviews", "subset": "v1"}}]}]}}""", V1Patch.PatchType.MergePatch);
            await _kube.Client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, "networking.istio.io", "v1", "bookinfo", "virtualservices", "reviews");

            Assert.Equal("reviews   3s", (await watch.StandardOutput.ReadLineAsync(deadline.Token))?.Trim());
        }
        finally
        {
            watch.Kill();
            await watch.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task Get_CustomResource_ShowsThePrinterColumnsOfItsCrd()
    {
        await _kube.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(KubeApi.CustomResourceTests.Crd());
        const string widget = """
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w1, namespace: bookinfo}
            spec: {size: 3}
            """;
        (await KubectlProcess.RunWithInputAsync(_kube.KubeconfigPath, widget, "apply", "-f", "-")).Succeeded();
        await _kube.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status": {"phase": "Ready"}}""", V1Patch.PatchType.MergePatch), "example.com", "v1", "bookinfo", "widgets", "w1");

        var table = (await KubectlAsync("get", "wd", "-n", "bookinfo")).Succeeded().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(["NAME", "PHASE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["w1", "Ready"], table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
