using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CanaryPilot.Kubernetes;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Service;
using CanaryPilot.Tests.EndToEnd;
using CanaryPilot.Tests.Service;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Configuration;

namespace CanaryPilot.Tests.Deploy;

/// <summary>
/// The install's RBAC is exactly what the controller uses: every Kubernetes call <c>serve</c> makes
/// through a whole life (leader election, a rollout with a Secret-backed notifier, a trigger, the plan
/// deleted mid-rollout) is allowed, and every permission granted is used. The calls come from the
/// emulator's audit trail, so the list is what the code did, not a copy of it.
/// </summary>
public sealed class RbacTests
{
    private const string ServiceAccount = "canarypilot";

    [Fact]
    public async Task EveryCallTheControllerMakes_IsAllowed_AndEveryPermissionIsUsed()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, api: new KubeApiOptions { Audit = true });
        await using var receiver = await Receiver.StartAsync();
        var kubeconfig = bed.Cluster.KubeconfigPath;
        (await KubectlProcess.RunAsync(kubeconfig, "apply", "-f", InstallManifest.Path)).Succeeded();

        // As the install's RBAC says to, for a namespace whose plans name a Secret.
        (await KubectlProcess.RunAsync(
            kubeconfig, "create", "rolebinding", "canarypilot-secrets", "--namespace", "bookinfo",
            "--clusterrole", "canarypilot-secret-reader", "--serviceaccount", $"{InstallManifest.Namespace}:{ServiceAccount}")).Succeeded();
        await bed.Cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "rollout-webhook" }, StringData = new Dictionary<string, string> { ["url"] = receiver.Url("/events").ToString() } },
            "bookinfo");
        // The canary's subset is left for CanaryPilot to add to the DestinationRule.
        (await KubectlProcess.RunAsync(kubeconfig, "patch", "destinationrule", "reviews", "-n", "bookinfo", "--type", "json", "-p", """[{"op": "remove", "path": "/spec/subsets/1"}]""")).Succeeded();
        await bed.CreatePlanAsync(RolloutTestBed.Plan + """

              onDelete: restoreStable
              notifications: [{name: audit, webhook: {urlFrom: {secretKeyRef: {name: rollout-webhook, key: url}}}}]

            """);

        // A second plan, on an HTTPRoute: ratings in ambient mode. No waypoint answers for it here, so it holds at its first stage.
        await RolloutTestBed.CreateServiceAsync(bed.Cluster, "ratings-v1");
        await bed.Cluster.Client.CustomObjects.CreateNamespacedCustomObjectAsync(JsonNode.Parse("""
            {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": {"name": "ratings", "namespace": "bookinfo"},
             "spec": {"parentRefs": [{"group": "", "kind": "Service", "name": "ratings"}], "rules": [{"backendRefs": [{"name": "ratings-v1", "port": 9080}]}]}}
            """)!, "gateway.networking.k8s.io", "v1", "bookinfo", "httproutes");
        await bed.CreatePlanAsync(RolloutTestBed.AmbientPlan
            .Replace("name: reviews, namespace", "name: ratings, namespace", StringComparison.Ordinal)
            .Replace("httpRoutes: [{name: reviews, rule: main}]", "httpRoutes: [{name: ratings}]", StringComparison.Ordinal)
            .Replace("reviews-v", "ratings-v", StringComparison.Ordinal));

        // Someone else writes first, once of each kind: the controller reads that object again (get) and re-applies its change.
        foreach (var plural in new[] { "rolloutplans", "virtualservices", "destinationrules", "httproutes" })
        {
            bed.Cluster.Server.Faults.ConflictOnNextWrite(plural);
        }

        await using (var service = await ServiceUnderTest.StartAsync(bed, options: DeploymentSettings()))
        {
            await Eventually.TrueAsync(async () => await bed.PhaseAsync() == "Succeeded", "the rollout to succeed", TimeSpan.FromMinutes(2));
            await Eventually.TrueAsync(
                async () => JsonNode.Parse((await bed.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("gateway.networking.k8s.io", "v1", "bookinfo", "httproutes", "ratings")).ToString()!)!
                    ["spec"]!["rules"]![0]!["backendRefs"]!.AsArray().Count == 2,
                "the ratings plan to add its canary to the HTTPRoute",
                TimeSpan.FromSeconds(30));
            using var trigger = await service.Http.SendAsync(ServiceUnderTest.Request(
                HttpMethod.Post, "/api/v1/rollouts/bookinfo/reviews/trigger", body: new StringContent("""{"idempotencyKey": "rbac-1", "revision": "reviews:2.1.0"}""", Encoding.UTF8, "application/json")));
            Assert.Equal(HttpStatusCode.Accepted, trigger.StatusCode);
            await Eventually.TrueAsync(async () => await bed.LiveWeightAsync("v1") > 0, "the triggered rollout to send v1 traffic", TimeSpan.FromMinutes(1));
            await bed.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");
            // v2 was promoted, so the triggered canary is v1 and the stable v2.
            await Eventually.TrueAsync(async () => await bed.LiveWeightAsync("v2") == 100, "the deleted plan's traffic to go back to stable", TimeSpan.FromSeconds(30));
            Assert.NotEmpty(receiver.Requests);
        }

        var calls = bed.Cluster.Server.Audit.Records.Where(r => r.UserAgent.StartsWith(KubernetesClients.UserAgent.Product!.Name + "/", StringComparison.Ordinal)).ToList();
        var rbac = await RbacRules.ReadAsync(bed.Cluster.Client, InstallManifest.Namespace, ServiceAccount);

        var denied = calls.Where(c => rbac.Allowing(c) is null).Select(Describe).Distinct().ToList();
        Assert.True(denied.Count == 0, $"the install's RBAC denies calls the controller makes: {string.Join("; ", denied)}");

        var unused = rbac.Rules
            .SelectMany(r => r.Rule.ApiGroups.SelectMany(g => r.Rule.Resources.SelectMany(res => r.Rule.Verbs.Select(v => (r.Namespace, Group: g, Resource: res, Verb: v)))))
            .Where(p => !calls.Any(c => c.Group == p.Group && c.Verb == p.Verb && Resource(c) == p.Resource && (p.Namespace is null || p.Namespace == c.Namespace)))
            .Select(p => $"{p.Verb} {p.Group}/{p.Resource}{(p.Namespace is null ? "" : " in " + p.Namespace)}")
            .ToList();
        Assert.True(unused.Count == 0, $"the install's RBAC grants what the controller never uses: {string.Join("; ", unused)}");
    }

    /// <summary>The settings the install's Deployment gives <c>serve</c> through its environment.</summary>
    private static ServiceOptions DeploymentSettings()
    {
        var container = InstallManifest.Committed().Single("Deployment", "canarypilot")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var environment = container["env"]!.AsArray()
            .Where(e => e!["value"] is not null)
            .ToDictionary(e => ((string)e!["name"]!).Replace("__", ":", StringComparison.Ordinal), e => (string?)e!["value"]);
        return ServiceHost.FromConfiguration(new ConfigurationBuilder().AddInMemoryCollection(environment).Build());
    }

    private static string Resource(AuditRecord call) => call.Subresource is null ? call.Resource : $"{call.Resource}/{call.Subresource}";

    private static string Describe(AuditRecord call) => $"{call.Verb} {call.Group}/{Resource(call)}{(call.Namespace is null ? "" : " in " + call.Namespace)}";
}
