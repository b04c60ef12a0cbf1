using System.Net;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace CanaryPilot.Sandbox.Tests.KubeApi;

/// <summary>Lists, selectors, collections, namespaces, faults and saved state.</summary>
public sealed class ServerBehaviourTests : IAsyncLifetime
{
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync() => _kube = await KubeApiCluster.StartAsync();

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private async Task CreateConfigMapsAsync(string ns, params string[] names)
    {
        foreach (var name in names)
        {
            await _kube.Client.CoreV1.CreateNamespacedConfigMapAsync(
                new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["batch"] = name[..1] } } }, ns);
        }
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEverythingWithContinue()
    {
        await CreateConfigMapsAsync("default", "a1", "a2", "b1", "b2", "c1");
        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: token);
            names.AddRange(page.Items.Select(i => i.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        }
        while (!string.IsNullOrEmpty(token));

        Assert.Equal(["a1", "a2", "b1", "b2", "c1"], names);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task List_WithFieldSelector_MatchesNameAndNamespace()
    {
        await CreateConfigMapsAsync("default", "a1", "b1");
        await _kube.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "other" } });
        await CreateConfigMapsAsync("other", "a1");

        var byName = await _kube.Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=a1");
        var notDefault = await _kube.Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace!=default");

        Assert.Equal(["default/a1", "other/a1"], byName.Items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}"));
        Assert.Equal(["other/a1"], notDefault.Items.Select(i => $"{i.Metadata.NamespaceProperty}/{i.Metadata.Name}"));
    }

    [Fact]
    public async Task DeleteCollection_WithSelector_DeletesOnlyTheMatches()
    {
        await CreateConfigMapsAsync("default", "a1", "a2", "b1");

        await _kube.Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync("default", labelSelector: "batch=a");

        Assert.Equal(["b1"], (await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task DeletingANamespace_DeletesWhatWasInIt()
    {
        await _kube.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "doomed" } });
        await CreateConfigMapsAsync("doomed", "a1");
        await CreateConfigMapsAsync("default", "a1");

        await _kube.Client.CoreV1.DeleteNamespaceAsync("doomed");

        Assert.Empty((await _kube.Client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace=doomed")).Items);
        Assert.Single((await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default")).Items);
    }

    [Fact]
    public async Task FailNext_AnswersTheMatchingRequestsWithTheStatusThenRecovers()
    {
        _kube.Server.Faults.FailNext(2, 503, verb: "list", plural: "configmaps");

        var first = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default"));
        await _kube.Client.CoreV1.ListNamespacedSecretAsync("default");
        var second = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default"));
        var third = await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default");

        Assert.Equal((HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable), (first.Response.StatusCode, second.Response.StatusCode));
        Assert.NotNull(third);
    }

    [Fact]
    public async Task ConflictOnNextWrite_FailsOneWriteWith409()
    {
        await CreateConfigMapsAsync("default", "a1");
        _kube.Server.Faults.ConflictOnNextWrite("configmaps");
        var patch = new V1Patch("""{"data": {"k": "v"}}""", V1Patch.PatchType.MergePatch);

        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => _kube.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "a1", "default"));
        var retried = await _kube.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "a1", "default");

        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Equal("v", retried.Data["k"]);
    }

    [Fact]
    public async Task Latency_DelaysRequestsUntilTurnedOff()
    {
        _kube.Server.Faults.Latency = TimeSpan.FromMinutes(10);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: timeout.Token));
        _kube.Server.Faults.Latency = TimeSpan.Zero;
        Assert.NotNull(await _kube.Client.CoreV1.ListNamespacedConfigMapAsync("default"));
    }

    [Fact]
    public async Task RandomFaults_AnswerTheirShareOfTheNamedClientsRequests_AndLeaveOthersAlone()
    {
        await CreateConfigMapsAsync("default", "a1");
        _kube.Server.Faults.ForUserAgent = "canarypilot/";
        _kube.Server.Faults.Random = new RandomFaults { ServerErrors = 0.5, WriteConflicts = 1, Seed = 3 };
        using var faulted = new Kubernetes(_kube.Configuration, new UserAgentHandler("canarypilot/1.0"));
        var patch = new V1Patch("""{"data": {"k": "v"}}""", V1Patch.PatchType.MergePatch);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await faulted.CoreV1.ReadNamespacedConfigMapAsync("a1", "default");
                answers.Add(HttpStatusCode.OK);
            }
            catch (HttpOperationException e)
            {
                answers.Add(e.Response.StatusCode);
            }
        }

        var failedReads = _kube.Server.Faults.Injected.Failures;
        var write = await Assert.ThrowsAsync<HttpOperationException>(async () =>
        {
            // Every write that is not answered 503 is answered 409 (and 50 writes all answered 503 would be a 2^-50 chance).
            for (var attempt = 0; attempt < 50; attempt++)
            {
                try
                {
                    await faulted.CoreV1.PatchNamespacedConfigMapAsync(patch, "a1", "default");
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                }
            }
        });

        // 200 draws of one half: within 70 of 130 errors with probability 1 - 1e-5 (binomial).
        Assert.InRange(answers.Count(a => a == HttpStatusCode.ServiceUnavailable), 70, 130);
        Assert.Equal(answers.Count, answers.Count(a => a is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
        Assert.Equal(HttpStatusCode.Conflict, write.Response.StatusCode);
        Assert.Equal(answers.Count(a => a == HttpStatusCode.ServiceUnavailable), failedReads);
        Assert.NotNull(await _kube.Client.CoreV1.ReadNamespacedConfigMapAsync("a1", "default"));
        Assert.NotNull(await _kube.Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "a1", "default"));
    }

    [Fact]
    public async Task RandomFaults_DropWatchesAfterTheirLifetime()
    {
        _kube.Server.Faults.Random = new RandomFaults { WatchLifetime = TimeSpan.FromMilliseconds(200) };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var dropped = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await foreach (var _ in _kube.Client.CoreV1.WatchListNamespacedConfigMapAsync("default", cancellationToken: timeout.Token))
            {
            }

            throw new InvalidOperationException("the watch ended cleanly");
        });

        Assert.False(timeout.IsCancellationRequested);
        Assert.IsNotType<InvalidOperationException>(dropped);
        Assert.Equal(1, _kube.Server.Faults.Injected.WatchesDropped);
    }

    [Fact]
    public async Task Kubeconfig_IsUsableByKubernetesClient()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(_kube.KubeconfigPath);
        using var client = new Kubernetes(config);

        var namespaces = await client.CoreV1.ListNamespaceAsync();

        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system"], namespaces.Items.Select(n => n.Metadata.Name));
        Assert.All(namespaces.Items, n => Assert.Equal("Active", n.Status.Phase));
    }

    [Fact]
    public async Task Discovery_ListsIstioGroupWithPreferredVersionV1()
    {
        var groups = await _kube.Client.Apis.GetAPIVersionsAsync();

        var istio = Assert.Single(groups.Groups, g => g.Name == "networking.istio.io");
        Assert.Equal("v1", istio.PreferredVersion.Version);
        Assert.Equal(["v1", "v1beta1", "v1alpha3"], istio.Versions.Select(v => v.Version));
    }

    [Fact]
    public async Task StateFile_CarriesObjectsAndCrdsAcrossARestart()
    {
        var state = Path.Combine(_kube.Directory, "state.json");
        var first = await KubeApiServer.StartAsync(new KubeApiOptions { StateFile = state });
        using (var client = new Kubernetes(new KubernetesClientConfiguration { Host = first.Address.ToString() }))
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "kept" } }, "default");
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(CustomResourceTests.Crd());
            await client.CustomObjects.CreateNamespacedCustomObjectAsync(
                System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}}""")!, "example.com", "v1", "default", "widgets");
        }

        var version = first.Store.ResourceVersion;
        await first.DisposeAsync();

        await using var second = await KubeApiServer.StartAsync(new KubeApiOptions { StateFile = state });
        using var again = new Kubernetes(new KubernetesClientConfiguration { Host = second.Address.ToString() });
        var kept = await again.CoreV1.ReadNamespacedConfigMapAsync("kept", "default");

        var widget = await again.CustomObjects.GetNamespacedCustomObjectAsync("example.com", "v1", "default", "widgets", "w1");

        Assert.Equal("kept", kept.Metadata.Name);
        Assert.Contains("\"w1\"", widget.ToString(), StringComparison.Ordinal);
        Assert.True(second.Store.ResourceVersion >= version);
    }

    [Fact]
    public async Task Audit_RecordsEveryResourceRequest_InTheTermsRbacAuthorizes()
    {
        await using var kube = await KubeApiCluster.StartAsync(new KubeApiOptions { Audit = true });
        kube.Client.HttpClient.DefaultRequestHeaders.UserAgent.Clear();
        kube.Client.HttpClient.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        await kube.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } }, "default");
        await kube.Client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default");
        await kube.Client.CoreV1.ListConfigMapForAllNamespacesAsync();
        await kube.Client.CoreV1.PatchNamespaceStatusAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "default");

        Assert.Equal(
            [
                new AuditRecord("create", "", "configmaps", null, "default", null, "audit-test/1.0"),
                new AuditRecord("get", "", "configmaps", null, "default", "settings", "audit-test/1.0"),
                new AuditRecord("list", "", "configmaps", null, null, null, "audit-test/1.0"),
                new AuditRecord("patch", "", "namespaces", "status", null, "default", "audit-test/1.0"),
            ],
            kube.Server.Audit.Records);
        Assert.Empty(_kube.Server.Audit.Records);
    }

    private sealed class UserAgentHandler(string product) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.UserAgent.ParseAdd(product);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
