using System.Diagnostics;
using System.Globalization;
using CanaryPilot.Demo;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// <c>canarypilot run</c> querying a real Prometheus through a proxy that, at a random moment mid-rollout, drops
/// the connection, answers NaN or no series, or answers slower than the plan's timeout. Right means: no step is
/// taken on the faulty answers (inconclusive checks hold the stage), the rollout carries on when Prometheus is
/// back and ends with the verdict the canary deserves — or, when the fault outlasts the plan's
/// <c>missingData.maxDuration</c>, rolls back as the plan says.
/// </summary>
internal static class PrometheusSuite
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    /// <summary>Three analysis intervals of the plan.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(3);

    /// <summary>A check that began before the fault may still end after it began, and count.</summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromSeconds(1.5);

    private static readonly WorkloadBehavior Failing = DemoScenario.Healthy with { ErrorRate = 0.3 };

    private sealed record Scenario(string Name, PrometheusFault Fault, TimeSpan Length, bool Healthy, string MaxMissing, bool Promotes, string Expected);

    private static readonly Scenario[] Scenarios =
    [
        new("down for 3 intervals", PrometheusFault.Down, Outage, true, "30s", true, "holds, then promotes"),
        new("NaN for 3 intervals", PrometheusFault.NaN, Outage, true, "30s", true, "holds, then promotes"),
        new("empty vectors for 3 intervals", PrometheusFault.Empty, Outage, true, "30s", true, "holds, then promotes"),
        new("slower than the 1 s timeout for 3 intervals", PrometheusFault.Slow, Outage, true, "30s", true, "holds, then promotes"),
        new("down for 3 intervals, failing canary", PrometheusFault.Down, Outage, false, "30s", false, "holds, then rolls back"),
        new("down for 15 s, maxDuration 5s", PrometheusFault.Down, TimeSpan.FromSeconds(15), true, "5s", false, "holds, then rolls back (missing data)"),
    ];

    public static async Task<string> RunAsync(int runsEach, int parallel, TextWriter progress)
    {
        var (healthy, failing) = (await CalibrateAsync(DemoScenario.Healthy), await CalibrateAsync(Failing));
        await progress.WriteLineAsync($"prometheus: an unfaulted healthy rollout takes {healthy.TotalSeconds:0.0} s, a failing one {failing.TotalSeconds:0.0} s");
        var runs = Scenarios.SelectMany(s => Enumerable.Range(0, runsEach).Select(_ => s)).ToList();
        var outcomes = new List<(Scenario Scenario, RunJudgement Judged)>();
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (scenario, _) =>
        {
            // Mid-rollout: after the first stage has begun and before the last has ended.
            // A run that reached its verdict before its fault began tested nothing: it is run again (twice at most,
            // then counted wrong), the fault drawn earlier.
            var span = scenario.Healthy ? healthy : failing;
            var latest = TimeSpan.FromTicks(Math.Max(0, (span - TimeSpan.FromSeconds(6)).Ticks));
            TimeSpan at;
            RunJudgement judged;
            var attempts = 0;
            do
            {
                at = TimeSpan.FromSeconds(1) + (latest * Random.Shared.NextDouble());
                judged = await OnceAsync(scenario, at);
                latest /= 2;
            }
            while (judged.Wrong is [EndedFirst] && ++attempts < 3);
            lock (outcomes)
            {
                outcomes.Add((scenario, judged));
                progress.WriteLine($"prometheus: {outcomes.Count}/{runs.Count} {scenario.Name} at {at.TotalSeconds:0.0} s: {(judged.Right ? "right" : string.Join("; ", judged.Wrong))}");
            }
        });

        var table = new Table("fault", "canary", "the plan says", "runs", "right", "lost", "stepped during the fault", "stages repeated", "stage skipped", "weight lowered", "notifications (repeated)", "secrets shown");
        foreach (var scenario in Scenarios)
        {
            var list = outcomes.Where(o => o.Scenario == scenario).Select(o => o.Judged).ToList();
            table.Add(
                scenario.Name,
                scenario.Healthy ? "healthy" : "failing (30% 5xx)",
                scenario.Expected,
                N(list.Count),
                N(list.Count(j => j.Right)),
                N(list.Count(j => j.Lost)),
                N(list.Count(j => j.Wrong.Any(w => w.StartsWith(SteppedDuring, StringComparison.Ordinal)))),
                N(list.Sum(j => j.Repeated)),
                N(list.Count(j => j.Skipped)),
                N(list.Count(j => j.Lowered)),
                $"{N(list.Sum(j => j.Notifications))} ({N(list.Sum(j => j.DuplicateNotifications))})",
                N(list.Sum(j => j.Leaks)));
        }

        var wrong = outcomes.Where(o => !o.Judged.Right).ToList();
        return $"""
            Each run: a fresh sandbox as for the crashes, and `canarypilot run` on the same plan (analysis every
            second, Prometheus's `timeout: 1s`, `missingData.maxDuration: 30s` unless the row says otherwise),
            querying the real Prometheus through a loopback proxy. At a moment drawn uniformly between 1 s after
            the start and 5 s before the end of an unfaulted rollout ({healthy.TotalSeconds:0.0} s healthy, {failing.TotalSeconds:0.0} s failing, measured
            first), and once the first stage has begun, the proxy turns a fault on:
            it drops every connection (down), answers every sample as NaN, answers every query with no series
            (empty), or answers after 3 s (slow); then turns it off. {runsEach} runs of each, {parallel} at a time.

            Right means: no step (a weight written, a stage entered, the promotion or a rollback) from {InFlight.TotalSeconds:0.0} s after
            the fault began — a check already under way may still count — until it ended, except the rollback the
            plan asks for when the fault outlasts `maxDuration` (and it must say it was for want of evidence); the verdict in the row, told to the webhook; the stages in order, none skipped; on
            the way to a promotion the weight never lowered; no secret shown.

            {table.ToMarkdown()}
            {(wrong.Count == 0 ? "" : "\nWrong runs:\n\n" + string.Join("\n", wrong.Select(o => $"- {o.Scenario.Name}: {string.Join("; ", o.Judged.Wrong)}")))}
            """;
    }

    private const string SteppedDuring = "stepped during the fault";

    private const string EndedFirst = "ended before the fault began";

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<TimeSpan> CalibrateAsync(WorkloadBehavior canary)
    {
        await using var bed = await FaultBed.StartAsync(canary);
        var clock = Stopwatch.StartNew();
        var process = bed.StartRun(bed.WritePlan(FaultBed.Plan()));
        using var deadline = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(deadline.Token);
        return process.ExitCode == (canary == DemoScenario.Healthy ? 0 : 1) ? clock.Elapsed : throw new InvalidOperationException($"an unfaulted run exited {process.ExitCode}: {string.Join(" | ", bed.Last(5))}");
    }

    private static async Task<RunJudgement> OnceAsync(Scenario scenario, TimeSpan at)
    {
        await using var bed = await FaultBed.StartAsync(scenario.Healthy ? DemoScenario.Healthy : Failing);
        await using var proxy = await PrometheusFaultProxy.StartAsync(bed.Environment.Prometheus.Address);
        proxy.Delay = TimeSpan.FromSeconds(3);
        using var deadline = new CancellationTokenSource(Deadline);
        var process = bed.StartRun(bed.WritePlan(FaultBed.Plan(maxMissing: scenario.MaxMissing)), proxy.Address);
        DateTimeOffset began, ended;
        try
        {
            // Mid-stage: the first stage must have begun (starting the rollout is not a step on evidence).
            var clock = Stopwatch.StartNew();
            var exited = process.WaitForExitAsync(deadline.Token);
            if (!await bed.StageEnteredAsync(0, Deadline))
            {
                return RunJudgement.LostRun(bed);
            }

            await Task.WhenAny(exited, Task.Delay(at > clock.Elapsed ? at - clock.Elapsed : TimeSpan.FromMilliseconds(500), deadline.Token));
            if (exited.IsCompletedSuccessfully && process.ExitCode == (scenario.Healthy ? 0 : 1))
            {
                // The verdict an unfaulted run reaches, before the fault: nothing was tested.
                return RunJudgement.None with { Wrong = [EndedFirst] };
            }

            began = DateTimeOffset.UtcNow;
            proxy.Fault = scenario.Fault;
            await Task.WhenAny(exited, Task.Delay(scenario.Length, deadline.Token));
            proxy.Fault = PrometheusFault.None;
            ended = DateTimeOffset.UtcNow;
            await exited;
        }
        catch (OperationCanceledException)
        {
            return RunJudgement.LostRun(bed);
        }

        var judged = await bed.JudgeAsync(scenario.Promotes);
        var wrong = judged.Wrong.ToList();
        if (scenario.Length > Outage && !string.Equals((await bed.StatusAsync()).Cause, "NoEvidence", StringComparison.OrdinalIgnoreCase))
        {
            wrong.Add($"rolled back for {(await bed.StatusAsync()).Cause ?? "no cause"}, not for want of evidence");
        }

        var expectedExit = scenario.Promotes ? 0 : 1;
        if (process.ExitCode != expectedExit)
        {
            wrong.Insert(0, $"exited {process.ExitCode}, expected {expectedExit}");
        }

        // On faulty answers no step may be taken, except the rollback the plan asks for when the fault outlasts
        // maxDuration. (A check that began during the fault may end after it, on answers to its retries, and count.)
        var stepped = bed.StepsBetween(began + InFlight, ended).Where(s => !s.Back || scenario.Length <= Outage).ToList();
        if (stepped.Count > 0)
        {
            wrong.Add($"{SteppedDuring}: {string.Join(", ", stepped.Select(s => $"{s.What} at +{(s.At - began).TotalSeconds:0.0} s"))} (the fault lasted {(ended - began).TotalSeconds:0.0} s)");
        }

        return judged with { Wrong = wrong };
    }
}
