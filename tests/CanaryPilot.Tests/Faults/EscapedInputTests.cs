using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Tests.Faults;

/// <summary>
/// The hostile values a plan may hold because they are escaped where they are used (tests/corpus/hostile/escaped):
/// each plan is valid, and its value reaches Prometheus as a literal. Prometheus holds no data, so an
/// analysis is inconclusive unless the value changed the query: an injected <c>or vector(0)</c> passes.
/// </summary>
public sealed class EscapedInputTests(EscapedInputTests.EmptyPrometheus prometheus) : IClassFixture<EscapedInputTests.EmptyPrometheus>
{
    /// <summary>A real Prometheus that scrapes nothing.</summary>
    public sealed class EmptyPrometheus : IAsyncLifetime
    {
        internal PrometheusServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await PrometheusServer.StartAsync(new PrometheusServerOptions());

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    public static TheoryData<string> Escaped() => [.. HostileCorpus.Names("escaped")];

    [Theory]
    [MemberData(nameof(Escaped))]
    public void EscapedCorpusFile_IsValid_AndItsValueReachesPrometheusAsALiteral(string name)
    {
        var path = Path.Combine(HostileCorpus.Directory, "escaped", name);
        var expectedQuery = HostileCorpus.Header(path)["expect-query"];

        var validate = CliRun.Of("validate", "-f", path);
        var analyze = CliRun.Of("analyze", "-f", path, "--prometheus", prometheus.Server.Address.ToString(), "--output", "json");

        Assert.Equal((0, ""), (validate.ExitCode, validate.Error));
        Assert.True(analyze.ExitCode == 1, analyze.Out + analyze.Error);
        var metric = JsonNode.Parse(analyze.Out)!["metrics"]![0]!;
        Assert.Equal(expectedQuery, (string?)metric["query"]);
        Assert.Equal(("inconclusive", "no data: the canary query returned an empty result"), ((string?)metric["verdict"], (string?)metric["reason"]));
        Assert.Null(metric["error"]);
    }
}
