using System.Text.Json.Nodes;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>Every <c>canarypilot demo</c> scenario, run as a person runs it, ends as it should, with the weights it should have shown.</summary>
public sealed class DemoTests
{
    private static readonly int[] AllStages = [5, 25, 50, 100];

    /// <summary>Scenario, final phase, and how far through the stages (5, 25, 50, 100) its canary must and may get.</summary>
    public static TheoryData<string, string, int, int> Scenarios() => new()
    {
        { "healthy", "Succeeded", 4, 4 },
        { "error-spike", "RolledBack", 2, 3 },
        { "latency", "RolledBack", 2, 3 },
        { "no-traffic", "RolledBack", 1, 1 },
        { "flaky-prometheus", "RolledBack", 2, 2 },
        { "unready-canary", "Succeeded", 4, 4 },
        { "resilience", "RolledBack", 2, 2 }, // 5%, 25%, then its resilience stage, at 25%
    };

    /// <summary>The scenarios in ambient mode: the HTTPRoute's weights, the waypoint's telemetry.</summary>
    public static TheoryData<string, string, int, int> AmbientScenarios() => new()
    {
        { "healthy", "Succeeded", 4, 4 },
        { "error-spike", "RolledBack", 2, 3 },
    };

    /// <summary>The sequential scenario's own plan: 25%, then all; its canary turns bad at 25%.</summary>
    [Fact]
    public async Task SequentialScenario_RollsBackAt25Percent_WithTheBoundsInItsVerdict()
    {
        var run = await Task.Run(() => CliRun.Of("demo", "--scenario", "sequential", "--output", "json"));

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var lines = run.OutLines.Select(l => JsonNode.Parse(l)!).ToList();
        var progress = lines.Where(l => l["type"]!.GetValue<string>() == "progress").ToList();
        Assert.Equal([25], progress.Where(p => p["phase"]!.GetValue<string>() == "Progressing").Select(p => p["canaryWeight"]!.GetValue<int>()).Distinct());
        Assert.Equal(("RolledBack", 0), (progress[^1]["phase"]!.GetValue<string>(), progress[^1]["canaryWeight"]!.GetValue<int>()));
        Assert.Contains(lines, l => l["message"]?.GetValue<string>() == "the sequential scenario ended as it should: RolledBack");
    }

    [Fact]
    public void ResilienceScenario_InAmbientMode_IsRefusedWithTheReason()
    {
        var run = CliRun.Of("demo", "--scenario", "resilience", "--mesh", "ambient");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("canarypilot: the resilience scenario runs with --mesh sidecar only: its faults go through the ratings VirtualService, and the Gateway API has no fault filter", run.Error.Trim());
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task Scenario_EndsAsItShould_WithItsWeightHistory(string scenario, string phase, int atLeast, int atMost) =>
        EndsAsItShouldAsync(["--scenario", scenario], scenario, phase, atLeast, atMost);

    [Theory]
    [MemberData(nameof(AmbientScenarios))]
    public Task AmbientScenario_EndsAsItShould_WithItsWeightHistory(string scenario, string phase, int atLeast, int atMost) =>
        EndsAsItShouldAsync(["--scenario", scenario, "--mesh", "ambient"], scenario, phase, atLeast, atMost);

    private static async Task EndsAsItShouldAsync(string[] arguments, string scenario, string phase, int atLeast, int atMost)
    {
        var run = await Task.Run(() => CliRun.Of(["demo", .. arguments, "--output", "json"]));

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        var lines = run.OutLines.Select(l => JsonNode.Parse(l)!).ToList();
        var progress = lines.Where(l => l["type"]!.GetValue<string>() == "progress").ToList();
        var weights = progress.Where(p => p["phase"]!.GetValue<string>() == "Progressing").Select(p => p["canaryWeight"]!.GetValue<int>()).Distinct().ToList();
        Assert.InRange(weights.Count, atLeast, atMost);
        Assert.Equal(AllStages.Take(weights.Count), weights);
        Assert.Equal((phase, phase == "Succeeded" ? 100 : 0), (progress[^1]["phase"]!.GetValue<string>(), progress[^1]["canaryWeight"]!.GetValue<int>()));
        Assert.Contains(lines, l => l["message"]?.GetValue<string>() == $"the {scenario} scenario ended as it should: {phase}");
    }
}
