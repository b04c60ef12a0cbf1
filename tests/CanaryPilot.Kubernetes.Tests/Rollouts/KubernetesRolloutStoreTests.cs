using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes.Crds;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Kubernetes.Tests.Rollouts;

/// <summary>The RolloutPlan store against the emulator, with the generated CRDs installed.</summary>
public sealed class KubernetesRolloutStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private KubeApiCluster _cluster = null!;
    private KubernetesRolloutStore _store = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubeApiCluster.StartAsync();
        foreach (var text in CrdGenerator.Files().Values)
        {
            var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(text);
            await _cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd);
        }

        await _cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bookinfo" } });
        var objects = new CustomObjects(_cluster.Client, KubernetesResilience.Create(RouterHarness.Options, TimeProvider.System), RouterHarness.Options);
        _store = new KubernetesRolloutStore(objects, new PlanReader(objects), new RolloutStoreOptions());
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private async Task CreatePlanAsync(string file, Func<string, string>? edit = null)
    {
        var yaml = File.ReadAllText(Repository.Path("deploy", "examples", "bookinfo", file));
        (await KubectlProcess.RunWithInputAsync(_cluster.KubeconfigPath, (edit ?? (t => t))(yaml), "create", "-f", "-")).Succeeded();
    }

    [Fact]
    public async Task List_ReadsValidPlansAndReportsInvalidOnesWithoutStopping()
    {
        await CreatePlanAsync("rolloutplan-auto.yaml");
        await CreatePlanAsync("rolloutplan-guarded.yaml", yaml => yaml.Replace("weight: 50", "weight: 5", StringComparison.Ordinal));

        var rollouts = await _store.ListAsync(CancellationToken.None);

        var valid = Assert.Single(rollouts, r => r.Name == "reviews");
        Assert.Equal([5, 25, 50, 100], valid.Plan!.Spec.Stages.Select(s => s.CanaryWeight));
        Assert.Equal(1, valid.Generation);
        var invalid = Assert.Single(rollouts, r => r.Name == "reviews-guarded");
        Assert.Null(invalid.Plan);
        Assert.Contains(invalid.Problems, p => p.Path == "spec.stages[3].weight" && p.Message.StartsWith("weight 5 does not rise above 10", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_CanUseAnAnalysisTemplateFromItsNamespace()
    {
        var template = JsonNode.Parse("""
            {"apiVersion": "canarypilot.io/v1alpha1", "kind": "AnalysisTemplate", "metadata": {"name": "checkout-errors"},
             "spec": {"query": "sum(rate(errors_total{namespace=\"{{ namespace }}\", workload=\"{{ workload }}\"}[{{ interval }}]))"}}
            """)!;
        await _cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(template, "canarypilot.io", "v1alpha1", "bookinfo", "analysistemplates");
        await CreatePlanAsync("rolloutplan-auto.yaml", yaml => yaml.Replace("template: istio-request-duration-p99", "template: checkout-errors", StringComparison.Ordinal));

        var rollout = await _store.GetAsync("bookinfo", "reviews", CancellationToken.None);

        Assert.Empty(rollout!.Problems);
        Assert.Equal("checkout-errors", rollout.Plan!.Spec.Analysis.Metrics[1].Template);
    }

    [Fact]
    public async Task UpdateStatus_WritesThroughTheSubresourceAndReadsBack()
    {
        await CreatePlanAsync("rolloutplan-auto.yaml");

        var written = await _store.UpdateStatusAsync("bookinfo", "reviews", status => status with
        {
            Phase = RolloutPhase.Progressing,
            Stage = 1,
            StageName = "25%",
            CanaryWeight = 25,
            StableWeight = 75,
            ObservedGeneration = 1,
            Revision = "reviews subset v2",
            StartedAt = Now,
            Metrics = [new MetricStatus { Name = "success-rate", Verdict = "pass", Value = 99.7, Threshold = ">= 99", MeasuredAt = Now }],
            LastAnalysis = new AnalysisSummary { Time = Now, Verdict = "pass", Summary = "2/2 metrics passed" },
            Conditions = [new RolloutCondition { Type = "Progressing", Status = "True", Reason = "StageAdvanced", Message = "advanced to 25%", LastTransitionTime = Now }],
            History = [new HistoryPoint { Time = Now, Kind = "check", Phase = RolloutPhase.Progressing, Stage = 1, CanaryWeight = 25, Verdict = "pass", Metrics = [new MetricPoint("success-rate", "pass", 99.7, 99.9) { Ratio = 1.1, Lower = 0.8, Tolerance = 1.2 }], Announced = ["AnalysisFailed"] }],
        }, CancellationToken.None);

        var read = await _store.GetAsync("bookinfo", "reviews", CancellationToken.None);
        Assert.Equal(written, read!.Status with { Metrics = written.Metrics, Conditions = written.Conditions, Counted = written.Counted, History = written.History });
        Assert.Equal(written.History[0] with { Metrics = [], Announced = [], Gates = [] }, read.Status.History[0] with { Metrics = [], Announced = [], Gates = [] });
        Assert.Equal(written.History[0].Metrics, read.Status.History[0].Metrics);
        Assert.Equal(written.History[0].Announced, read.Status.History[0].Announced);
        Assert.Equal(written.Metrics, read.Status.Metrics);
        Assert.Equal(written.Counted, read.Status.Counted);
        Assert.Equal(written.Conditions, read.Status.Conditions);
        Assert.Equal(1, read.Generation);
        var raw = await _cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");
        Assert.Contains("\"phase\":\"Progressing\"", raw.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateStatus_OnConflict_ReadsAgainAndReappliesTheChange()
    {
        await CreatePlanAsync("rolloutplan-auto.yaml");
        await _store.UpdateStatusAsync("bookinfo", "reviews", s => s with { FailedChecks = 1 }, CancellationToken.None);
        _cluster.Server.Faults.ConflictOnNextWrite("rolloutplans");
        _cluster.Server.Faults.ConflictOnNextWrite("rolloutplans");

        var written = await _store.UpdateStatusAsync("bookinfo", "reviews", s => s with { FailedChecks = s.FailedChecks + 1 }, CancellationToken.None);

        Assert.Equal(2, written.FailedChecks);
    }

    [Fact]
    public async Task Get_MissingPlan_IsNull() =>
        Assert.Null(await _store.GetAsync("bookinfo", "nothing", CancellationToken.None));
}
