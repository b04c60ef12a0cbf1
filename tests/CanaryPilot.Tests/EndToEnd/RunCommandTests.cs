using k8s;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary><c>canarypilot run</c> as a CI job calls it, against the emulator, the simulated mesh and a real Prometheus.</summary>
public sealed class RunCommandTests
{
    private static Task<CliRun> RunAsync(RolloutTestBed bed, string plan, params string[] extra) => Task.Run(() => CliRun.Of(
        ["run", "-f", plan, "--kubeconfig", bed.Cluster.KubeconfigPath, "--prometheus", bed.Prometheus.Address.ToString(), .. extra]));

    /// <summary><c>canarypilot run</c> as its own process, with JSON output, for tests that kill or signal it.</summary>
    private static ProcessStartInfo RunProcess(RolloutTestBed bed, string plan) =>
        new("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "run", "-f", plan, "--kubeconfig", bed.Cluster.KubeconfigPath, "--prometheus", bed.Prometheus.Address.ToString(), "--output", "json"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

    /// <summary>The bookinfo example plan as committed, with its minutes made seconds and Prometheus scraping every second.</summary>
    private static string ShortenedBookinfoPlan()
    {
        var yaml = File.ReadAllText(Repository.Path("deploy", "examples", "bookinfo", "rolloutplan-auto.yaml"));
        return yaml.Replace("minDuration: 2m", "minDuration: 2s", StringComparison.Ordinal)
            .Replace("interval: 1m", "interval: 2s\n    prometheus: {scrapeInterval: 1s}", StringComparison.Ordinal)
            .Replace("maxDuration: 5m", "maxDuration: 90s", StringComparison.Ordinal);
    }

    [Fact]
    public async Task BookinfoExamplePlan_WithShortDurations_IsPromoted()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy, requestsPerSecond: 1000);

        var run = await RunAsync(bed, bed.WritePlan(ShortenedBookinfoPlan()));

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.StartsWith("promoted: promoted reviews subset v2", run.OutLines[^1][9..], StringComparison.Ordinal);
        Assert.Contains(run.OutLines, l => l.Contains("Progressing stage 2/4 25%: canary 25%, stable 75% | success-rate 100 (>= 99) pass", StringComparison.Ordinal));
        Assert.Equal(100, await bed.LiveCanaryWeightAsync());
    }

    [Fact]
    public async Task FailingCanary_ExitsOneAfterRollingBack()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy with { ErrorRate = 0.3 });

        var run = await RunAsync(bed, bed.WritePlan(), "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var summary = JsonNode.Parse(run.OutLines[^1])!;
        Assert.Equal(("summary", "rolled-back", 1), (summary["type"]!.GetValue<string>(), summary["verdict"]!.GetValue<string>(), summary["exitCode"]!.GetValue<int>()));
        Assert.All(run.OutLines, line => JsonNode.Parse(line));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
    }

    [Fact]
    public async Task ApprovalStage_WithUntilApproval_ExitsFourAndLeavesTheStageInPlace()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        var plan = bed.WritePlan(RolloutTestBed.Plan.Replace("{weight: 20}", "{weight: 20, approval: required}", StringComparison.Ordinal));

        var waiting = await RunAsync(bed, plan, "--until-approval");
        Assert.Equal(4, waiting.ExitCode);
        Assert.Contains("awaiting-approval", waiting.OutLines[^1], StringComparison.Ordinal);

        Assert.Equal(20, await bed.LiveCanaryWeightAsync());
        var status = await bed.Cluster.Client.CustomObjects.GetNamespacedCustomObjectAsync("canarypilot.io", "v1alpha1", "bookinfo", "rolloutplans", "reviews");
        Assert.Equal("AwaitingApproval", JsonNode.Parse(status.ToString()!)!["status"]!["phase"]!.GetValue<string>());
    }

    [Fact]
    public async Task AKilledRun_StartedAgain_ResumesAtTheSameStage()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        var plan = bed.WritePlan(RolloutTestBed.Plan.Replace("{weight: 50}", "{weight: 50, minDuration: 6s}", StringComparison.Ordinal));
        var start = RunProcess(bed, plan);
        int killedAt;
        using (var first = Process.Start(start)!)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (true)
            {
                var line = await first.StandardOutput.ReadLineAsync(deadline.Token) ?? throw new InvalidOperationException(await first.StandardError.ReadToEndAsync(deadline.Token));
                var json = JsonNode.Parse(line)!;
                if (json["type"]!.GetValue<string>() == "progress" && json["stage"]?.GetValue<int>() == 1)
                {
                    killedAt = 1;
                    break;
                }
            }

            first.Kill();
            await first.WaitForExitAsync(deadline.Token);
        }

        Assert.Equal(50, await bed.LiveCanaryWeightAsync());
        var again = await RunAsync(bed, plan, "--output", "json");

        Assert.Equal(0, again.ExitCode);
        var lines = again.OutLines.Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal($"resuming the rollout at 50% (Progressing)", lines[0]["message"]!.GetValue<string>());
        Assert.Equal(killedAt, lines.First(l => l["type"]!.GetValue<string>() == "progress")["stage"]!.GetValue<int>());
    }

    [Fact]
    public async Task Sigterm_StopsAtASafePointAndSaysHowToResume()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        var plan = bed.WritePlan(RolloutTestBed.Plan.Replace("{weight: 20}", "{weight: 20, minDuration: 1h}", StringComparison.Ordinal));
        var start = RunProcess(bed, plan);
        using var run = Process.Start(start)!;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var lines = new List<JsonNode>();
        while (lines.Count == 0 || lines[^1]["type"]!.GetValue<string>() != "progress")
        {
            lines.Add(JsonNode.Parse((await run.StandardOutput.ReadLineAsync(deadline.Token))!)!);
        }

        using (var term = Process.Start("kill", ["-TERM", run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await term.WaitForExitAsync(deadline.Token);
        }

        var rest = await run.StandardOutput.ReadToEndAsync(deadline.Token);
        await run.WaitForExitAsync(deadline.Token);

        Assert.Equal(130, run.ExitCode);
        var summary = JsonNode.Parse(rest.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1])!;
        Assert.Equal("interrupted", summary["verdict"]!.GetValue<string>());
        Assert.EndsWith("run the same command again to resume", summary["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(20, await bed.LiveCanaryWeightAsync());
    }
}
