using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Tests.Deploy;

/// <summary>
/// <c>deploy/install.yaml</c> is the kustomize base rendered, installs with kubectl against the API
/// emulator (dry run and for real), and grants nothing by wildcard.
/// </summary>
public sealed class InstallManifestTests
{
    private const string Header = """
        # CanaryPilot's in-cluster install: kubectl apply -f deploy/install.yaml (see README.md, "Install in a cluster").
        # Rendered from the kustomize base in deploy/ with `kubectl kustomize deploy/`; do not edit by hand.
        # Regenerate: CANARYPILOT_WRITE_INSTALL=1 dotnet test tests/CanaryPilot.Tests --filter InstallYaml_IsTheKustomizeBaseRendered

        """;

    [Fact]
    public async Task InstallYaml_IsTheKustomizeBaseRendered()
    {
        await using var cluster = await KubeApiCluster.StartAsync();
        var rendered = (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "kustomize", Repository.Path("deploy"))).Succeeded().Out;
        if (Environment.GetEnvironmentVariable("CANARYPILOT_WRITE_INSTALL") == "1")
        {
            await File.WriteAllTextAsync(InstallManifest.Path, Header + rendered);
        }

        // kubectl versions order and format the same objects differently: compare the objects.
        var expected = InstallManifest.Parse("kustomize", rendered).Objects.ToDictionary(InstallManifest.Key);
        var committed = InstallManifest.Committed().Objects.ToDictionary(InstallManifest.Key);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), committed.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, pair => Assert.True(
            JsonNode.DeepEquals(pair.Value, committed[pair.Key]),
            $"{pair.Key} in deploy/install.yaml differs from `kubectl kustomize deploy/`; regenerate it (see its header)"));
    }

    [Fact]
    public void InstallYaml_HasEveryPartOfTheInstall()
    {
        var install = InstallManifest.Committed();
        var kinds = install.Objects.Select(o => (string)o["kind"]!).ToHashSet(StringComparer.Ordinal);
        Assert.Superset(
            new HashSet<string>(["Namespace", "CustomResourceDefinition", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service", "ServiceMonitor"], StringComparer.Ordinal),
            kinds);
        Assert.Equal(2, install.OfKind("CustomResourceDefinition").Count());

        var deployment = install.Single("Deployment", "canarypilot");
        Assert.Equal(2L, (long)deployment["spec"]!["replicas"]!);
        var pod = deployment["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]!.AsArray().Single()!;
        Assert.Equal("/healthz", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.NotNull(container["resources"]!["requests"]!["memory"]);
        Assert.NotNull(container["resources"]!["limits"]!["memory"]);
        Assert.True((bool)pod["securityContext"]!["runAsNonRoot"]!);
        Assert.True((bool)container["securityContext"]!["readOnlyRootFilesystem"]!);
        Assert.False((bool)container["securityContext"]!["allowPrivilegeEscalation"]!);
        Assert.Equal("ALL", (string?)container["securityContext"]!["capabilities"]!["drop"]![0]);
    }

    [Fact]
    public void Rbac_NamesEveryGroupResourceAndVerb_WithoutAWildcard()
    {
        var install = InstallManifest.Committed();
        var roles = install.OfKind("ClusterRole").Concat(install.OfKind("Role")).ToList();
        Assert.NotEmpty(roles);
        foreach (var role in roles)
        {
            foreach (var rule in role["rules"]!.AsArray())
            {
                Assert.Null(rule!["nonResourceURLs"]);
                foreach (var field in new[] { "apiGroups", "resources", "verbs", "resourceNames" })
                {
                    Assert.DoesNotContain("*", rule[field]?.AsArray().Select(v => (string)v!) ?? []);
                }

                Assert.NotEmpty(rule["verbs"]!.AsArray());
                Assert.NotEmpty(rule["resources"]!.AsArray());
            }
        }

        Assert.All(
            install.OfKind("ClusterRoleBinding").Concat(install.OfKind("RoleBinding")),
            binding => Assert.StartsWith("canarypilot-", (string)binding["roleRef"]!["name"]!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ServerDryRun_Succeeds_AndPersistsNothing()
    {
        await using var cluster = await KubeApiCluster.StartAsync();

        // Like kube-apiserver, the emulator creates nothing in a namespace a dry run only pretended to
        // create, so a dry run previews an install into an existing namespace (or an upgrade).
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = InstallManifest.Namespace } });
        var before = await StoreVersionAsync(cluster);

        var result = (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "apply", "--dry-run=server", "-f", InstallManifest.Path)).Succeeded();

        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(InstallManifest.Committed().Objects.Count, lines.Length);
        Assert.All(lines.Where(l => !l.StartsWith("namespace/", StringComparison.Ordinal)), line => Assert.EndsWith("(server dry run)", line, StringComparison.Ordinal));
        Assert.Equal(before, await StoreVersionAsync(cluster));
        var get = await KubectlProcess.RunAsync(cluster.KubeconfigPath, "get", "-f", InstallManifest.Path, "--ignore-not-found", "-o", "name");
        Assert.Equal(["namespace/" + InstallManifest.Namespace], get.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Apply_CreatesEveryObject()
    {
        await using var cluster = await KubeApiCluster.StartAsync();

        (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "apply", "-f", InstallManifest.Path)).Succeeded();

        var found = JsonNode.Parse((await KubectlProcess.RunAsync(cluster.KubeconfigPath, "get", "-f", InstallManifest.Path, "-o", "json")).Succeeded().Out)!;
        var items = found["kind"]?.GetValue<string>() == "List" ? found["items"]!.AsArray().Select(i => i!) : [found];
        Assert.Equal(
            InstallManifest.Committed().Objects.Select(InstallManifest.Key).Order(StringComparer.Ordinal),
            items.Select(InstallManifest.Key).Order(StringComparer.Ordinal));
    }

    /// <summary>The emulator's resourceVersion: any write, to any object, raises it.</summary>
    private static async Task<string> StoreVersionAsync(KubeApiCluster cluster) =>
        (await cluster.Client.CoreV1.ListNamespaceAsync()).Metadata.ResourceVersion;
}
