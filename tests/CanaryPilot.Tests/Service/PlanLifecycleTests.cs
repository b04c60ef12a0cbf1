using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Tests.EndToEnd;
using k8s;

namespace CanaryPilot.Tests.Service;

/// <summary>A plan is read one way everywhere — the watch, triggers, the API — with the AnalysisTemplates of its namespace.</summary>
public sealed class PlanLifecycleTests
{
    /// <summary>The shipped success-rate template under a name of the namespace's own.</summary>
    private static string NamespaceTemplate(string name, string? query = null)
    {
        var yaml = File.ReadAllText(Repository.Path("analysis-templates", "istio-success-rate.yaml"))
            .Replace("name: istio-success-rate", $"name: {name}\n  namespace: bookinfo", StringComparison.Ordinal);
        return query is null ? yaml : yaml[..yaml.IndexOf("  query: |", StringComparison.Ordinal)] + $"  query: {query}\n";
    }

    private static string PlanUsing(string template) =>
        RolloutTestBed.Plan.Replace("template: istio-success-rate", $"template: {template}", StringComparison.Ordinal);

    [Fact]
    public async Task Trigger_OfAPlanUsingANamespaceTemplate_StartsTheRollout()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        (await KubectlProcess.RunWithInputAsync(bed.Cluster.KubeconfigPath, NamespaceTemplate("bookinfo-success-rate"), "create", "-f", "-")).Succeeded();
        await bed.CreatePlanAsync(PlanUsing("bookinfo-success-rate"));
        await using var service = await ServiceUnderTest.StartAsync(bed);
        await Eventually.TrueAsync(async () => await bed.PhaseAsync() == "Succeeded", "the first rollout to be promoted", TimeSpan.FromMinutes(2));

        using var trigger = await service.Http.SendAsync(ServiceUnderTest.Request(
            HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/trigger", body: new StringContent("""{"idempotencyKey": "ci-7", "revision": "reviews:2.2.0"}""", Encoding.UTF8, "application/json")));

        Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
        await Eventually.TrueAsync(
            async () => (await bed.PlanAsync())["status"] is { } status && (string?)status["phase"] == "Progressing" && ((string?)status["revision"])?.Contains("reviews:2.2.0", StringComparison.Ordinal) == true,
            "the triggered rollout to progress",
            TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task APlanNamingAnInvalidNamespaceTemplate_CarriesTheTemplatesOwnProblemsInItsStatus()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        (await KubectlProcess.RunWithInputAsync(bed.Cluster.KubeconfigPath, NamespaceTemplate("bookinfo-success-rate", "sum(rate(istio_requests_total{destination_workload=\"{{ wrkload }}\"}[1m]))"), "create", "-f", "-")).Succeeded();
        await bed.CreatePlanAsync(PlanUsing("bookinfo-success-rate"));
        await using var service = await ServiceUnderTest.StartAsync(bed);

        JsonNode? valid = null;
        await Eventually.TrueAsync(
            async () => (valid = (await bed.PlanAsync())["status"]?["conditions"]?.AsArray().FirstOrDefault(c => (string?)c!["type"] == "Valid")) is not null,
            "the plan's status to say it is invalid",
            TimeSpan.FromSeconds(30));
        Assert.Equal(("False", "InvalidPlan"), ((string?)valid!["status"], (string?)valid["reason"]));
        var message = (string)valid["message"]!;
        Assert.Contains("analysistemplate bookinfo/bookinfo-success-rate", message, StringComparison.Ordinal);
        Assert.Contains("spec.query", message, StringComparison.Ordinal);
        Assert.Contains("wrkload", message, StringComparison.Ordinal);
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
    }
}
