using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Service;
using CanaryPilot.Tests.EndToEnd;
using k8s;
using k8s.Models;

namespace CanaryPilot.Tests.Service;

/// <summary>One rule decides who drives a rollout: a controller of some namespaces leaves the others, and a <c>canarypilot run</c>'s plan, alone.</summary>
public sealed class DrivingRuleTests
{
    private const string OtherNamespace = "storefront";

    [Fact]
    public async Task ServeOfOneNamespace_ElectedMidRollouts_WritesNothingToAnotherNamespaceNorToARunsPlan()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, api: new KubeApiOptions { Audit = true });
        await InProgressElsewhereAsync(bed);
        var weights = new List<int>();
        using var watching = new CancellationTokenSource();
        var watch = WatchCanaryWeightAsync(bed, weights, watching.Token);

        var plan = bed.WritePlan(RolloutTestBed.Plan.Replace("{weight: 50}", "{weight: 50, minDuration: 6s}", StringComparison.Ordinal));
        var run = Task.Run(() => CliRun.Of(["run", "-f", plan, "--kubeconfig", bed.Cluster.KubeconfigPath, "--prometheus", bed.Prometheus.Address.ToString()]));
        await Eventually.TrueAsync(async () => await bed.LiveCanaryWeightAsync() >= 20, "the run to start its rollout", TimeSpan.FromSeconds(60));

        var options = new ServiceOptions();
        options.Namespaces.Add("bookinfo");
        await using (var service = await ServiceUnderTest.StartAsync(bed, options: options))
        {
            await Eventually.TrueAsync(() => service.Leader.IsLeader, "serve to be elected");
            var finished = await run;
            Assert.True(finished.ExitCode == 0, finished.Out + finished.Error);
        }

        await watching.CancelAsync();
        await watch;
        var byServe = bed.Cluster.Server.Audit.Records.Where(r => r.UserAgent.EndsWith("(serve)", StringComparison.Ordinal)).ToList();
        Assert.Contains(byServe, r => r.Verb == "watch" && r.Resource == "rolloutplans" && r.Namespace == "bookinfo");
        Assert.DoesNotContain(byServe, r => r.Namespace == OtherNamespace);
        Assert.DoesNotContain(byServe, r => r.Verb is "create" or "update" or "patch" or "delete" && r.Resource is "rolloutplans" or "virtualservices" or "destinationrules");
        Assert.Equal(100, weights[^1]);
        Assert.Equal(weights.Order(), weights);
    }

    /// <summary>A rollout of another namespace, at 10% in its first stage, as another controller left it.</summary>
    private static async Task InProgressElsewhereAsync(RolloutTestBed bed)
    {
        var client = bed.Cluster.Client;
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = OtherNamespace } });
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse($$$"""
            {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": {"name": "cart", "namespace": "{{{OtherNamespace}}}"},
             "spec": {"hosts": ["cart"], "http": [{"route": [{"destination": {"host": "cart", "subset": "v1"}, "weight": 90}, {"destination": {"host": "cart", "subset": "v2"}, "weight": 10}]}]}}
            """)!, "networking.istio.io", "v1", OtherNamespace, "virtualservices");
        var plan = RolloutTestBed.Plan
            .Replace("namespace: bookinfo", $"namespace: {OtherNamespace}", StringComparison.Ordinal)
            .Replace("name: reviews", "name: cart", StringComparison.Ordinal)
            .Replace("reviews", "cart", StringComparison.Ordinal);
        (await KubectlProcess.RunWithInputAsync(bed.Cluster.KubeconfigPath, plan, "create", "-f", "-")).Succeeded();
        var created = JsonNode.Parse((await client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", OtherNamespace, "rolloutplans", "cart")).ToString()!)!.AsObject();
        created["status"] = JsonNode.Parse("""{"phase": "Progressing", "stage": 0, "stageName": "20%", "canaryWeight": 10, "stableWeight": 90, "attempt": 1, "observedGeneration": 1}""");
        await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(created, "canarypilot.io", "v1alpha1", OtherNamespace, "rolloutplans", "cart");
    }

    /// <summary>Every canary weight the bookinfo VirtualService holds, as a watch of it reports them.</summary>
    private static async Task WatchCanaryWeightAsync(RolloutTestBed bed, List<int> weights, CancellationToken cancellationToken)
    {
        try
        {
            var events = bed.Cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
                "networking.istio.io", "v1", "bookinfo", "virtualservices", fieldSelector: "metadata.name=reviews", cancellationToken: cancellationToken);
            await foreach (var (_, item) in events)
            {
                var route = JsonNode.Parse(item.ToString()!)!["spec"]!["http"]![0]!["route"]!.AsArray();
                var canary = route.FirstOrDefault(d => (string?)d!["destination"]!["subset"] == "v2")?["weight"]?.GetValue<int>() ?? 0;
                lock (weights)
                {
                    weights.Add(canary);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
