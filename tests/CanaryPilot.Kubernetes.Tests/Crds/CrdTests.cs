using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Kubernetes.Tests.Crds;

/// <summary>The CRDs in deploy/crds match the C# model, and a cluster (the emulator, driven by kubectl) accepts them and the plans.</summary>
public sealed class CrdTests
{
    private static readonly string CrdDirectory = Repository.Path("deploy", "crds");

    [Fact]
    public void CommittedCrds_AreWhatTheModelGenerates()
    {
        var generated = CrdGenerator.Files();
        if (Environment.GetEnvironmentVariable("CANARYPILOT_WRITE_CRDS") == "1")
        {
            foreach (var (name, text) in generated)
            {
                File.WriteAllText(Path.Combine(CrdDirectory, name), text);
            }
        }

        foreach (var (name, text) in generated)
        {
            var committed = Path.Combine(CrdDirectory, name);
            Assert.True(File.Exists(committed), $"{committed} is missing; regenerate with CANARYPILOT_WRITE_CRDS=1");
            Assert.True(text == File.ReadAllText(committed), $"{committed} differs from the model; regenerate with CANARYPILOT_WRITE_CRDS=1");
        }

        Assert.Equal(generated.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(CrdDirectory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Kubectl_AppliesTheCrdsThenTheBookinfoPlans_AndShowsThePrinterColumns()
    {
        await using var cluster = await KubeApiCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });

        (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "apply", "-f", CrdDirectory)).Succeeded();
        var examples = Repository.Path("deploy", "examples", "bookinfo");
        (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "apply", "-f", Path.Combine(examples, "rolloutplan-auto.yaml"), "-f", Path.Combine(examples, "rolloutplan-guarded.yaml"), "-f", Path.Combine(examples, "rolloutplan-resilience.yaml"))).Succeeded();
        (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "apply", "-f", Repository.Path("analysis-templates"), "-n", "bookinfo")).Succeeded();
        await cluster.Client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status": {"phase": "Progressing", "stageName": "25%", "canaryWeight": 25, "lastAnalysis": {"verdict": "pass", "time": "2026-11-26T10:00:00Z"}}}""", V1Patch.PatchType.MergePatch),
            "canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");

        var table = (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "get", "rolloutplans", "-n", "bookinfo")).Succeeded().Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var shortName = (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "get", "rp", "-n", "bookinfo", "-o", "name")).Succeeded().Out;
        var templates = (await KubectlProcess.RunAsync(cluster.KubeconfigPath, "get", "analysistemplates", "-n", "bookinfo", "-o", "name")).Succeeded().Out;

        Assert.Equal(["NAME", "PHASE", "STAGE", "WEIGHT", "LAST", "ANALYSIS", "AGE"], table[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["reviews", "Progressing", "25%", "25", "pass"], table[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..5]);
        Assert.Equal("reviews-guarded", table[2].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.Equal("rolloutplan.canarypilot.io/reviews\nrolloutplan.canarypilot.io/reviews-guarded\nrolloutplan.canarypilot.io/reviews-resilience\n", shortName);
        Assert.Equal(Directory.GetFiles(Repository.Path("analysis-templates"), "*.yaml").Length, templates.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
