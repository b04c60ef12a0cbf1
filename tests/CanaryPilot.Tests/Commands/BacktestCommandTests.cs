using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Tests.Commands;

/// <summary>
/// A real Prometheus that starts with 38 minutes of Istio request counters (written with promtool), as
/// the server-side proxies of namespace <c>shop</c> reported them every 5 seconds: reviews-v1 and -v2 at
/// 20 requests a second with 1% 503s throughout; ratings-v1 the same, and ratings-v2 too until
/// <see cref="Regression"/>, then 20% 503s.
/// </summary>
public sealed class PastTraffic : IAsyncLifetime
{
    /// <summary>A whole minute: the history runs from 40 minutes before it to 2 minutes before it.</summary>
    public DateTimeOffset End { get; } = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() / 60 * 60);

    public DateTimeOffset Begin => End.AddMinutes(-40);

    public DateTimeOffset Regression => End.AddMinutes(-30);

    public PrometheusServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var history = new PrometheusHistory();
        foreach (var workload in new[] { "reviews-v1", "reviews-v2", "ratings-v1", "ratings-v2" })
        {
            Func<DateTimeOffset, double> errors = workload == "ratings-v2" ? t => t <= Regression ? 0.01 : 0.2 : _ => 0.01;
            foreach (var (code, share) in new (string, Func<DateTimeOffset, double>)[] { ("200", t => 1 - errors(t)), ("503", errors) })
            {
                var labels = new Dictionary<string, string>
                {
                    ["reporter"] = "destination",
                    ["destination_workload_namespace"] = "shop",
                    ["destination_workload"] = workload,
                    ["response_code"] = code,
                };
                history.Counter("istio_requests_total", labels, Counter(perSecond: t => 20 * share(t)));
            }
        }

        Server = await PrometheusServer.StartAsync(new PrometheusServerOptions { History = history, ScrapeInterval = TimeSpan.FromSeconds(5) });
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A counter sampled every 5 seconds, growing at the rate of the interval before each sample.</summary>
    private IEnumerable<(DateTimeOffset, double)> Counter(Func<DateTimeOffset, double> perSecond)
    {
        var total = 0.0;
        for (var t = Begin; t <= End.AddMinutes(-2); t = t.AddSeconds(5))
        {
            yield return (t, total);
            total += 5 * perSecond(t.AddSeconds(5));
        }
    }
}

/// <summary>
/// <c>canarypilot backtest</c> end to end against that Prometheus: a healthy range promotes, a regression
/// rolls back at the check the plan's rules say, check by check in text and JSON; bad times and ranges,
/// and an unreachable Prometheus, give the documented exit codes.
/// </summary>
public sealed class BacktestCommandTests(PastTraffic traffic) : IClassFixture<PastTraffic>, IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-backtest-");

    public void Dispose() => _directory.Delete(recursive: true);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private string From => Time(traffic.End.AddMinutes(-35));

    private string To => Time(traffic.End.AddMinutes(-20));

    private string Check(int k) => Time(traffic.End.AddMinutes(-35 + k));

    private string PlanFile(string service, string stages = "[{weight: 20}, {weight: 50}, {weight: 100}]", string metric = "thresholds: {max: 0.05}", string judge = "threshold", string? address = null)
    {
        var path = Path.Combine(_directory.FullName, $"plan-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $$"""
            apiVersion: canarypilot.io/v1alpha1
            kind: RolloutPlan
            metadata: {name: {{service}}, namespace: shop}
            spec:
              service:
                name: {{service}}
                virtualServices: [{name: {{service}}}]
                stable: {host: {{service}}, subset: v1, workload: {{service}}-v1}
                canary: {host: {{service}}, subset: v2, workload: {{service}}-v2}
              stages: {{stages}}
              analysis:
                interval: 1m
                failureLimit: 1
                judge: {{judge}}
                prometheus:
                  address: {{address ?? traffic.Server.Address.ToString()}}
                  scrapeInterval: 5s
                metrics:
                  - name: errors
                    template: istio-error-rate-5xx
                    {{metric}}
            """);
        return path;
    }

    private static string ClosedAddress()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
    }

    [Fact]
    public void HealthyRange_AdvancesStageByStageAndPromotes_PrintingEveryCheck_ExitsZero()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews"), "--from", From, "--to", To);

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Equal($"backtest of shop/reviews from {From} to {To}: 15 checks, one every 1m, on {traffic.Server.Address}", run.OutLines[0]);
        Assert.StartsWith("note: the data is what the mesh saw then: past traffic did not follow this plan's stages and weights", run.OutLines[1], StringComparison.Ordinal);
        var checks = run.OutLines.SkipWhile(l => !l.StartsWith("start at", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"start at {From}: stage 1 of 3: 20%",
                $"check 1 at {Check(1)}, stage 1 of 3 (20%), canary 20%:",
                "errors: pass", "why:            0.01 is within <= 0.05", "value:          0.01", "requests:       1200 in 1m (at least 20 to judge)",
                "decision:       advance — stage 2 of 3: 50%",
                $"check 2 at {Check(2)}, stage 2 of 3 (50%), canary 50%:",
                "errors: pass", "why:            0.01 is within <= 0.05", "value:          0.01", "requests:       1200 in 1m (at least 20 to judge)",
                "decision:       advance — stage 3 of 3: 100%",
                $"check 3 at {Check(3)}, stage 3 of 3 (100%), canary 100%:",
                "errors: pass", "why:            0.01 is within <= 0.05", "value:          0.01", "requests:       1200 in 1m (at least 20 to judge)",
                "decision:       promote — promoted reviews subset v2: all traffic on the canary, which is the new stable",
                $"outcome: promoted at check 3 of 15 ({Check(3)}): promoted reviews subset v2: all traffic on the canary, which is the new stable",
                "verdict: pass",
            ],
            checks);
    }

    [Fact]
    public void ARegression_HoldsAtTheFirstFailedCheck_AndRollsBackAtTheNext_ExitsOne()
    {
        // Stage 1 needs ten passing checks: the regression 5 minutes into the range catches the canary there.
        var run = CliRun.Of("backtest", "-f", PlanFile("ratings", stages: "[{weight: 20, iterations: 10}, {weight: 100}]"), "--from", From, "--to", To);

        Assert.Equal((1, ""), (run.ExitCode, run.Error));
        var decisions = run.OutLines.Where(l => l.StartsWith("decision:", StringComparison.Ordinal)).ToList();
        Assert.Equal(7, decisions.Count);
        Assert.All(decisions.Take(5), d => Assert.Equal("decision:       hold — stage 20%: 1/1 metrics passed", d));
        Assert.Equal("decision:       hold — analysis failed (1 of 1 failures allowed): errors: 0.2 is above 0.05 (thresholds <= 0.05)", decisions[5]);
        Assert.Equal(
            "decision:       roll back — rolled back: all traffic on ratings subset v1. analysis failed 2 times in a row, more than the 1 allowed: errors: 0.2 is above 0.05 (thresholds <= 0.05)",
            decisions[6]);
        Assert.Contains($"check 7 at {Check(7)}, stage 1 of 2 (20%), canary 20%:", run.OutLines);
        Assert.StartsWith($"outcome: rolled back at check 7 of 15 ({Check(7)}): ", run.OutLines[^2], StringComparison.Ordinal);
        Assert.Equal("verdict: fail", run.OutLines[^1]);
    }

    [Fact]
    public void SequentialJudge_AddsUpEachStagesCounts_AndRollsBackOnTheEvidence()
    {
        var plan = PlanFile("ratings", stages: "[{weight: 20, iterations: 20}, {weight: 100}]", judge: "sequential", metric: "compareToStable: {maxIncrease: 20, promoteWithin: 100, mode: relative}");

        var run = CliRun.Of("backtest", "-f", plan, "--from", From, "--to", To, "-o", "json");

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var checks = json.RootElement.GetProperty("checks").EnumerateArray().Skip(1).ToList();
        var evidence = checks.Select(c => c.GetProperty("metrics")[0].GetProperty("evidence")).ToList();
        Assert.All(evidence, e => Assert.All(e.GetProperty("queries").EnumerateArray(), q => Assert.EndsWith("[1m]))", q.GetString(), StringComparison.Ordinal)));

        // Counted over the interval before each check, carried over the stage: 1,200 canary requests a minute, added up.
        for (var k = 0; k < evidence.Count; k++)
        {
            Assert.InRange(evidence[k].GetProperty("canaryRequests").GetDouble(), 1_200 * (k + 1) * 0.99, 1_200 * (k + 1) * 1.01);
        }

        var last = checks[^1];
        Assert.Equal(("rollBack", "analysisFailed"), (last.GetProperty("decision").GetString(), last.GetProperty("cause").GetString()));
        Assert.Contains("worse than stable beyond the tolerance", last.GetProperty("metrics")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(evidence[^1].GetProperty("lower").GetDouble() > 1.2);
        Assert.All(checks.SkipLast(1), c => Assert.Equal("hold", c.GetProperty("decision").GetString()));
    }

    [Fact]
    public void JsonOutput_IsOneObject_WithTheRangeTheNoteEveryCheckAndTheOutcome()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews"), "--from", From, "--to", To, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        var root = json.RootElement;
        Assert.Equal(
            ("shop/reviews", traffic.Server.Address.ToString(), "1m", 15, "pass", "succeeded", 3),
            (root.GetProperty("plan").GetString(), root.GetProperty("prometheus").GetString(), root.GetProperty("interval").GetString(), root.GetProperty("checksInRange").GetInt32(),
             root.GetProperty("verdict").GetString(), root.GetProperty("outcome").GetProperty("phase").GetString(), root.GetProperty("outcome").GetProperty("check").GetInt32()));
        Assert.Equal(traffic.End.AddMinutes(-35), root.GetProperty("from").GetDateTimeOffset());
        Assert.StartsWith("the data is what the mesh saw then", root.GetProperty("note").GetString(), StringComparison.Ordinal);
        var checks = root.GetProperty("checks").EnumerateArray().ToList();
        Assert.Equal(["start", "advance", "advance", "promote"], checks.Select(c => c.GetProperty("decision").GetString()));
        Assert.Equal(JsonValueKind.Null, checks[0].GetProperty("stage").ValueKind);
        var first = checks[1];
        Assert.Equal(
            (1, traffic.End.AddMinutes(-34), 0, 20, "pass", 1, 50),
            (first.GetProperty("check").GetInt32(), first.GetProperty("at").GetDateTimeOffset(), first.GetProperty("stage").GetProperty("index").GetInt32(),
             first.GetProperty("stage").GetProperty("canaryWeight").GetInt32(), first.GetProperty("verdict").GetString(), first.GetProperty("next").GetProperty("index").GetInt32(),
             first.GetProperty("next").GetProperty("canaryWeight").GetInt32()));
        var metric = Assert.Single(first.GetProperty("metrics").EnumerateArray().ToList());
        Assert.Equal(("errors", "pass", 0.01), (metric.GetProperty("name").GetString(), metric.GetProperty("verdict").GetString(), Math.Round(metric.GetProperty("value").GetDouble(), 6)));
    }

    [Fact]
    public void RelativeTimes_CountBackFromNow()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews"), "--from", "-30m", "--to", "-25m");

        Assert.Equal((0, ""), (run.ExitCode, run.Error));
        Assert.Contains(": 5 checks, one every 1m, on ", run.OutLines[0], StringComparison.Ordinal);
        Assert.StartsWith("outcome: promoted at check 3 of 5 ", run.OutLines[^2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("yesterday", "now", "--from \"yesterday\" is not a time: use an RFC 3339 time with its offset such as 2026-05-01T12:00:00Z, now, or a duration before now such as -1h or -90m")]
    [InlineData("2020-05-01T12:00:00", "now", "--from \"2020-05-01T12:00:00\" is not a time: use an RFC 3339 time with its offset such as 2026-05-01T12:00:00Z, now, or a duration before now such as -1h or -90m")]
    [InlineData("-1h", "1h", "--to \"1h\" is not a time: use an RFC 3339 time with its offset such as 2026-05-01T12:00:00Z, now, or a duration before now such as -1h or -90m")]
    [InlineData("2020-05-01T12:00:00Z", "2020-05-01T11:00:00Z", "--to 2020-05-01T11:00:00Z is not after --from 2020-05-01T12:00:00Z")]
    [InlineData("2020-05-01T12:00:00Z", "2020-05-01T12:00:30Z", "--from 2020-05-01T12:00:00Z to --to 2020-05-01T12:00:30Z holds no check: the plan checks every 1m (spec.analysis.interval), the first one interval after --from, the last one scrape before now at the latest")]
    [InlineData("2020-05-01T12:00:00Z", "2020-05-08T12:00:00Z", "--from 2020-05-01T12:00:00Z to --to 2020-05-08T12:00:00Z is 10,080 checks at the plan's interval of 1m; a backtest makes at most 10,000: shorten the range")]
    [InlineData("-1h", "2999-01-01T00:00:00Z", "--to 2999-01-01T00:00:00Z is in the future; a backtest replays the past (the latest --to is now)")]
    public void BadTimesAndRanges_ExitTwo_WithOneLineNamingTheOption(string from, string to, string message)
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews"), "--from", from, "--to", to);

        Assert.Equal((2, ""), (run.ExitCode, run.Out));
        Assert.Equal([$"canarypilot: {message}"], run.ErrorLines);
    }

    [Fact]
    public void FromIsRequired_ExitsTwo()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews"));

        Assert.Equal((2, "canarypilot: Option '--from' is required."), (run.ExitCode, run.ErrorLines[0]));
    }

    [Fact]
    public void InvalidPlan_PrintsFindings_ExitsTwo()
    {
        var plan = Repository.Path("tests", "CanaryPilot.Core.Tests", "Fixtures", "invalid", "plan-weights-decrease.yaml");

        var run = CliRun.Of("backtest", "-f", plan, "--from", From, "--prometheus", traffic.Server.Address.ToString());

        Assert.Equal((2, ""), (run.ExitCode, run.Out));
        Assert.Equal([$"{plan}:28:15: spec.stages[2].weight: weight 20 does not rise above 25 (spec.stages[1].weight); weights must increase strictly"], run.ErrorLines);
    }

    [Fact]
    public void PrometheusUnreachable_EveryCheckIsAnError_ExitsThree()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews", address: ClosedAddress()), "--from", From, "--to", To);

        Assert.Equal(3, run.ExitCode);
        Assert.Contains("errors: error", run.OutLines);
        Assert.StartsWith("outcome: rolled back at check 6 of 15 ", run.OutLines[^2], StringComparison.Ordinal);
        Assert.Equal("verdict: error", run.OutLines[^1]);
    }

    [Fact]
    public void PrometheusFlag_OverridesThePlansAddress()
    {
        var run = CliRun.Of("backtest", "-f", PlanFile("reviews", address: ClosedAddress()), "--from", From, "--to", To, "--prometheus", traffic.Server.Address.ToString());

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Help_ListsTheOptions()
    {
        var run = CliRun.Of("backtest", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.All(["--file", "--from", "--to", "--prometheus", "--kubeconfig", "--output"], option => Assert.Contains(option, run.Out, StringComparison.Ordinal));
    }
}
