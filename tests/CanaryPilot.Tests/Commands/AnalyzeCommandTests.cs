using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Sandbox.Prometheus;
using k8s;
using k8s.Models;

namespace CanaryPilot.Tests.Commands;

/// <summary>A real Prometheus (no targets: constant queries need none) shared by the analyze tests.</summary>
public sealed class AnalyzePrometheus : IAsyncLifetime
{
    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PrometheusServer.StartAsync(new PrometheusServerOptions());

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// <c>canarypilot analyze</c> end to end against a real Prometheus: a metric whose template is a constant
/// (<c>vector(99.5)</c>) passes or fails by its thresholds; the shipped templates find no data in an empty
/// server; an unreachable server, bad input and Secrets from a cluster give the documented exit codes.
/// </summary>
public sealed class AnalyzeCommandTests(AnalyzePrometheus prometheus) : IClassFixture<AnalyzePrometheus>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-analyze-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Address => prometheus.Server.Address.ToString();

    private string PlanFile(string value, string? address = null, string prometheusExtra = "", string metricTemplate = "constant", int minRequestVolume = 0)
    {
        var path = Path.Combine(_directory.FullName, $"plan-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: reviews, namespace: shop}
            spec:
              service:
                name: reviews
                virtualServices: [{name: reviews}]
                stable: {host: reviews, subset: v1, workload: reviews-v1}
                canary: {host: reviews, subset: v2, workload: reviews-v2}
              stages: [{weight: 50}, {weight: 100}]
              analysis:
                interval: 10s
                missingData: {minRequestVolume: {{{minRequestVolume}}}}
                prometheus:
                  address: {{{address ?? Address}}}
                  scrapeInterval: 1s
            {{{prometheusExtra}}}
                metrics:
                  - name: quality
                    template: {{{metricTemplate}}}
                    {{{(metricTemplate == "constant" ? $"args: {{value: \"{value}\"}}" : "")}}}
                    thresholds: {min: 99}
            ---
            apiVersion: canarypilot.io/v1alpha1
            kind: AnalysisTemplate
            metadata: {name: constant}
            spec:
              args: [{name: value}]
              query: vector({{ args.value }})
            """);
        return path;
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public void Analyze_ValueWithinThresholds_PrintsQueryValueRuleAndPass_ExitsZero()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("", run.Error);
        Assert.Equal(
            ["quality: pass", "why:            99.5 is within >= 99", "value:          99.5", "rules:          thresholds >= 99", "query:          vector(99.5)"],
            run.OutLines.Take(5));
        Assert.StartsWith($"verdict: pass (1 pass) from {Address} at ", run.OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_ValueBelowThreshold_Fails_ExitsOne()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("97"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(["quality: fail", "why:            97 is below 99 (thresholds >= 99)"], run.OutLines.Take(2));
    }

    [Fact]
    public void Analyze_NaN_IsInconclusiveNeverPass_ExitsOne()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("NaN"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("quality: inconclusive", run.OutLines[0]);
    }

    [Fact]
    public void Analyze_ShippedTemplateOnAnEmptyServer_ShowsTheRenderedQueryAndIsInconclusive()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("", metricTemplate: "istio-success-rate", minRequestVolume: 20));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(
            """  query:          100 * sum(rate(istio_requests_total{reporter="destination", destination_workload_namespace="shop", destination_workload="reviews-v2", response_code!~"5.."}[10s]))""",
            run.Out.Split('\n'));
        Assert.Contains("  why:            no data: the request volume query returned an empty result", run.Out.Split('\n'));
    }

    [Fact]
    public void Analyze_JsonOutput_IsOneObjectWithMetricsAndVerdict()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5"), "--output", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var metric = Assert.Single(json.RootElement.GetProperty("metrics").EnumerateArray().ToList());
        Assert.Equal(
            ("pass", "quality", "vector(99.5)", 99.5, "pass", 99.0),
            (json.RootElement.GetProperty("verdict").GetString(), metric.GetProperty("name").GetString(), metric.GetProperty("query").GetString(),
             metric.GetProperty("value").GetDouble(), metric.GetProperty("verdict").GetString(), metric.GetProperty("thresholds").GetProperty("min").GetDouble()));
    }

    [Fact]
    public void Analyze_JsonOutputWithoutAValue_WritesNull()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("NaN"), "-o", "json");

        using var json = JsonDocument.Parse(run.Out);
        var metric = json.RootElement.GetProperty("metrics")[0];
        Assert.Equal((JsonValueKind.Null, "inconclusive"), (metric.GetProperty("value").ValueKind, metric.GetProperty("verdict").GetString()));
    }

    [Fact]
    public void Analyze_PrometheusUnreachable_IsAnError_ExitsThree()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5", address: $"http://127.0.0.1:{ClosedPort()}"));

        Assert.Equal(3, run.ExitCode);
        Assert.Equal("quality: error", run.OutLines[0]);
        Assert.StartsWith("verdict: error", run.OutLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_PrometheusFlag_OverridesThePlansAddress()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5", address: $"http://127.0.0.1:{ClosedPort()}"), "--prometheus", Address);

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Analyze_InvalidPlan_PrintsFindings_ExitsTwo()
    {
        var plan = Repository.Path("tests", "CanaryPilot.Core.Tests", "Fixtures", "invalid", "plan-weights-decrease.yaml");

        var run = CliRun.Of("analyze", "-f", plan, "--prometheus", Address);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"{plan}:28:15: spec.stages[2].weight: weight 20 does not rise above 25 (spec.stages[1].weight); weights must increase strictly"], run.ErrorLines);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void Analyze_NoAddressAnywhere_ExitsTwoWithOneLine()
    {
        var run = CliRun.Of("analyze", "-f", Repository.Path("deploy", "examples", "bookinfo", "rolloutplan-auto.yaml"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["canarypilot: no Prometheus address: set spec.analysis.prometheus.address or pass --prometheus URL"], run.ErrorLines);
    }

    [Fact]
    public void Analyze_BadPrometheusFlag_ExitsTwo()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5"), "--prometheus", "prometheus:9090");

        Assert.Equal((2, "canarypilot: --prometheus \"prometheus:9090\" is not an absolute http or https URL"), (run.ExitCode, run.Error.TrimEnd()));
    }

    [Fact]
    public void Analyze_TwoPlans_ExitsTwo()
    {
        var run = CliRun.Of("analyze", "-f", Repository.Path("deploy", "examples", "bookinfo"), "--prometheus", Address);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["canarypilot: analyze evaluates one RolloutPlan; the files hold 4 (bookinfo/reviews, bookinfo/reviews-guarded, bookinfo/reviews-resilience, bookinfo/reviews-sequential): give one plan file"], run.ErrorLines);
    }

    [Fact]
    public void Analyze_BearerTokenFromAFile_IsRead()
    {
        var token = Path.Combine(_directory.FullName, "token");
        File.WriteAllText(token, "t0ken\n");

        var run = CliRun.Of("analyze", "-f", PlanFile("99.5", prometheusExtra: $"      bearerToken: {{file: {token}}}"));

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Analyze_SecretFileMissing_ExitsTwoNamingTheFile()
    {
        var missing = Path.Combine(_directory.FullName, "no-such-token");

        var run = CliRun.Of("analyze", "-f", PlanFile("99.5", prometheusExtra: $"      bearerToken: {{file: {missing}}}"));

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"canarypilot: spec.analysis.prometheus: cannot read secret file {missing}: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_SecretKeyRefWithoutKubeconfig_ExitsTwoSayingWhatToDo()
    {
        var run = CliRun.Of("analyze", "-f", PlanFile("99.5", prometheusExtra: "      bearerToken: {secretKeyRef: {name: prometheus, key: token}}"));

        Assert.Equal(
            (2, "canarypilot: spec.analysis.prometheus: Secret shop/prometheus is in a cluster: pass --kubeconfig to read it, or use file or env"),
            (run.ExitCode, run.Error.TrimEnd()));
    }

    [Fact]
    public async Task Analyze_SecretKeyRefWithKubeconfig_ReadsTheSecretFromTheCluster()
    {
        await using var cluster = await KubeApiServer.StartAsync();
        var kubeconfig = Path.Combine(_directory.FullName, "kubeconfig");
        cluster.WriteKubeconfig(kubeconfig);
        using (var client = new k8s.Kubernetes(new KubernetesClientConfiguration { Host = cluster.Address.ToString() }))
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
            await client.CoreV1.CreateNamespacedSecretAsync(
                new V1Secret { Metadata = new V1ObjectMeta { Name = "prometheus" }, Data = new Dictionary<string, byte[]> { ["token"] = "t0ken"u8.ToArray() } }, "shop");
        }

        var present = PlanFile("99.5", prometheusExtra: "      bearerToken: {secretKeyRef: {name: prometheus, key: token}}");
        var absent = PlanFile("99.5", prometheusExtra: "      bearerToken: {secretKeyRef: {name: prometheus, key: password}}");
        var found = CliRun.Of("analyze", "-f", present, "--kubeconfig", kubeconfig);
        var missing = CliRun.Of("analyze", "-f", absent, "--kubeconfig", kubeconfig);

        Assert.Equal(0, found.ExitCode);
        Assert.Equal((2, "canarypilot: spec.analysis.prometheus: Secret shop/prometheus has no key \"password\""), (missing.ExitCode, missing.Error.TrimEnd()));
    }

    [Fact]
    public void Analyze_Help_ListsTheOptions()
    {
        var run = CliRun.Of("analyze", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.All(["--file", "--prometheus", "--kubeconfig", "--output"], option => Assert.Contains(option, run.Out, StringComparison.Ordinal));
    }
}
