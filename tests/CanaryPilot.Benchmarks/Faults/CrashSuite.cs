using System.Diagnostics;
using System.Globalization;
using CanaryPilot.Demo;
using CanaryPilot.Sandbox.Mesh;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// <c>canarypilot run</c> killed with SIGKILL at a uniformly random moment of its rollout, then started again
/// until it reaches a verdict. Right means: the verdict the canary deserves, the canary's weight never lowered
/// during a healthy rollout, no stage skipped or entered twice, every VirtualService field CanaryPilot does
/// not own intact, no secret shown.
/// </summary>
internal static class CrashSuite
{
    /// <summary>The most a run may take, restarts included, before it counts as lost.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private static readonly WorkloadBehavior Failing = DemoScenario.Healthy with { ErrorRate = 0.3 };

    public static async Task<string> RunAsync(int healthy, int failing, int parallel, TextWriter progress)
    {
        // How long a rollout takes uncrashed: the kills are uniform over it.
        var calibration = await CalibrateAsync();
        await progress.WriteLineAsync($"crash: an uncrashed healthy rollout takes {calibration.Healthy.TotalSeconds:0.0} s, a failing one {calibration.Failing.TotalSeconds:0.0} s");
        var runs = Enumerable.Range(0, healthy).Select(i => (Healthy: true, Number: i + 1))
            .Concat(Enumerable.Range(0, failing).Select(i => (Healthy: false, Number: i + 1))).ToList();
        var outcomes = new List<CrashOutcome>();
        var done = 0;
        await Parallel.ForEachAsync(runs, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (run, _) =>
        {
            var span = run.Healthy ? calibration.Healthy : calibration.Failing;
            var outcome = await OnceAsync(run.Healthy, span * Random.Shared.NextDouble());
            lock (outcomes)
            {
                outcomes.Add(outcome);
                done++;
                progress.WriteLine($"crash: {done}/{runs.Count} {(run.Healthy ? "healthy" : "failing")} killed at {outcome.KilledAt.TotalSeconds:0.0} s{(outcome.EndedBeforeKill ? " (had ended)" : "")}: {(outcome.Right ? "right" : string.Join("; ", outcome.Judged.Wrong))}");
            }
        });

        var table = new Table("canary", "runs", "killed mid-rollout", "right", "lost", "stages repeated", "weight lowered", "stage skipped", "user fields lost", "secrets shown", "starts beyond two");
        foreach (var group in outcomes.GroupBy(o => o.Healthy).OrderByDescending(g => g.Key))
        {
            var list = group.ToList();
            table.Add(
                group.Key ? "healthy" : "failing (30% 5xx)",
                N(list.Count),
                N(list.Count(o => !o.EndedBeforeKill)),
                N(list.Count(o => o.Right)),
                N(list.Count(o => o.Judged.Lost)),
                N(list.Sum(o => o.Judged.Repeated)),
                N(list.Count(o => o.Judged.Lowered)),
                N(list.Count(o => o.Judged.Skipped)),
                N(list.Count(o => !o.Judged.FieldsSurvived)),
                N(list.Sum(o => o.Judged.Leaks)),
                N(list.Sum(o => Math.Max(0, o.Starts - 2))));
        }

        var wrong = outcomes.Where(o => !o.Right).ToList();
        var duplicates = outcomes.Sum(o => o.Judged.DuplicateNotifications);
        var notifications = outcomes.Sum(o => o.Judged.Notifications);
        return $"""
            Each run: a fresh sandbox (the bookinfo `reviews` service at 200 requests/s, a real Prometheus
            scraping every second), the VirtualService decorated with fields a team writes (labels,
            annotations, `gateways`, request headers, a CORS policy, a second route, the example's retries
            and timeout), and `canarypilot run` as its own process on a plan of 5% → 25% → 50% → 100%
            (analysis every second, a webhook told of every transition, its URL, signing secret and
            Authorization header from the environment). The process is killed with SIGKILL at a moment
            drawn uniformly over an uncrashed rollout ({calibration.Healthy.TotalSeconds:0.0} s healthy, {calibration.Failing.TotalSeconds:0.0} s failing, measured
            first), then started again until it exits with a verdict (a start that exits 3, no verdict, is
            started again, as a CI job would; "starts beyond two" counts them); {parallel} runs at a time.

            Right means: the verdict the canary deserves (promoted, or rolled back with traffic on stable);
            during a healthy rollout the canary's weight, as a watch on the VirtualService saw it, never went
            down; the weights were the plan's stages in order, none skipped; no stage entered twice (a stage's
            start in the status never moved); every field CanaryPilot does not own survived; the webhook was told
            the verdict (it answers every fourth delivery 503, so retries and what is said of a failed delivery
            are part of every run); no secret in any output line, status or event. Lost: no verdict within {Deadline.TotalMinutes:0} minutes.

            {table.ToMarkdown()}

            Notifications: the webhook got {N(notifications)}, of which {N(duplicates)} repeated a transition already told (same
            event and stage) — delivery is at least once: a process killed after telling and before recording
            that it told tells again on restart.
            {(wrong.Count == 0 ? "" : "\nWrong runs:\n\n" + string.Join("\n", wrong.Select(o => $"- {(o.Healthy ? "healthy" : "failing")}, killed at {o.KilledAt.TotalSeconds:0.0} s: {string.Join("; ", o.Judged.Wrong)}")))}
            """;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static async Task<(TimeSpan Healthy, TimeSpan Failing)> CalibrateAsync()
    {
        async Task<TimeSpan> Once(WorkloadBehavior canary)
        {
            await using var bed = await FaultBed.StartAsync(canary);
            var plan = bed.WritePlan(FaultBed.Plan());
            var clock = Stopwatch.StartNew();
            var process = bed.StartRun(plan);
            using var deadline = new CancellationTokenSource(Deadline);
            await process.WaitForExitAsync(deadline.Token);
            var expected = canary == DemoScenario.Healthy ? 0 : 1;
            if (process.ExitCode != expected)
            {
                throw new InvalidOperationException($"an uncrashed run exited {process.ExitCode}, not {expected}: {string.Join(" | ", bed.Last(5))}");
            }

            return clock.Elapsed;
        }

        return (await Once(DemoScenario.Healthy), await Once(Failing));
    }

    private static async Task<CrashOutcome> OnceAsync(bool healthy, TimeSpan killAt)
    {
        await using var bed = await FaultBed.StartAsync(healthy ? DemoScenario.Healthy : Failing);
        var plan = bed.WritePlan(FaultBed.Plan());
        using var deadline = new CancellationTokenSource(Deadline);
        var endedBeforeKill = false;
        int? exit = null;
        var starts = 1;
        try
        {
            var first = bed.StartRun(plan);
            var exited = first.WaitForExitAsync(deadline.Token);
            if (await Task.WhenAny(exited, Task.Delay(killAt, deadline.Token)) == exited)
            {
                endedBeforeKill = true;
                exit = first.ExitCode;
            }
            else
            {
                first.Kill(entireProcessTree: true);
                await first.WaitForExitAsync(deadline.Token);
            }

            while (exit is null or 3)
            {
                // 3 is no verdict (the cluster or Prometheus failed): a CI job would run it again too.
                starts++;
                var again = bed.StartRun(plan);
                await again.WaitForExitAsync(deadline.Token);
                exit = again.ExitCode;
                if (exit == 3)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), deadline.Token);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new CrashOutcome(healthy, killAt, endedBeforeKill) { Starts = starts, Judged = RunJudgement.LostRun(bed) };
        }

        return await JudgeAsync(bed, healthy, killAt, endedBeforeKill, exit.Value) with { Starts = starts };
    }

    private static async Task<CrashOutcome> JudgeAsync(FaultBed bed, bool healthy, TimeSpan killAt, bool endedBeforeKill, int exit)
    {
        var judged = await bed.JudgeAsync(healthy);
        var expectedExit = healthy ? 0 : 1;
        var wrong = exit == expectedExit ? judged.Wrong : [$"exited {exit}, expected {expectedExit}", .. judged.Wrong];
        return new CrashOutcome(healthy, killAt, endedBeforeKill) { Judged = judged with { Wrong = wrong } };
    }

    private sealed record CrashOutcome(bool Healthy, TimeSpan KilledAt, bool EndedBeforeKill)
    {
        public RunJudgement Judged { get; init; } = RunJudgement.None;

        public int Starts { get; init; }

        public bool Right => Judged.Right;
    }
}
