using System.Diagnostics;
using System.Globalization;
using CanaryPilot.Demo;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// Two <c>canarypilot serve</c> replicas as their own processes; the leader killed with SIGKILL at a uniformly
/// random moment of the rollout. Right means the standby finishes it: the verdict the canary deserves, no stage
/// lost or entered twice, the user's fields intact, no secret shown. Measured: the time from the kill to the
/// next step the standby takes, and the notifications the webhook got twice.
/// </summary>
internal static class FailoverSuite
{
    /// <summary>The Lease the replicas elect on: the standby can lead once it has expired.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    public static async Task<string> RunAsync(int runs, int parallel, TextWriter progress)
    {
        var span = await CalibrateAsync();
        await progress.WriteLineAsync($"failover: an uninterrupted rollout under serve takes {span.TotalSeconds:0.0} s");
        var outcomes = new List<FailoverOutcome>();
        await Parallel.ForEachAsync(Enumerable.Range(1, runs), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (_, _) =>
        {
            var outcome = await OnceAsync(span * Random.Shared.NextDouble());
            lock (outcomes)
            {
                outcomes.Add(outcome);
                progress.WriteLine($"failover: {outcomes.Count}/{runs} leader killed at {outcome.KilledAt.TotalSeconds:0.0} s, standby leads {outcome.Leads?.TotalSeconds:0.0} s later, next step {(outcome.NextStep is { } next ? $"{next.TotalSeconds:0.0} s later" : "none")}: {(outcome.Judged.Right ? "right" : string.Join("; ", outcome.Judged.Wrong))}");
            }
        });

        var next = Seconds(outcomes.Select(o => o.NextStep));
        var leads = Seconds(outcomes.Select(o => o.Leads));
        var table = new Table("runs", "killed mid-rollout", "right", "lost", "stages repeated", "stage skipped", "weight lowered", "user fields lost", "secrets shown", "kill → standby leads", "kill → next step");
        table.Add(
            N(outcomes.Count),
            N(outcomes.Count(o => !o.EndedBeforeKill)),
            N(outcomes.Count(o => o.Judged.Right)),
            N(outcomes.Count(o => o.Judged.Lost)),
            N(outcomes.Sum(o => o.Judged.Repeated)),
            N(outcomes.Count(o => o.Judged.Skipped)),
            N(outcomes.Count(o => o.Judged.Lowered)),
            N(outcomes.Count(o => !o.Judged.FieldsSurvived)),
            N(outcomes.Sum(o => o.Judged.Leaks)),
            leads,
            next);
        var wrong = outcomes.Where(o => !o.Judged.Right).ToList();
        return $"""
            Each run: a fresh sandbox as for the crashes, the plan created in the cluster (its webhook's URL, signing
            secret and Authorization header in a Secret), and two `canarypilot serve` replicas as their own
            processes, electing their leader on a Lease of {Lease.TotalSeconds:0} s (renewed within 3 s, retried every 0.5 s;
            the deployment's default is 15 s). The leader — whoever holds the Lease — is killed with SIGKILL at a
            moment drawn uniformly over an uninterrupted rollout ({span.TotalSeconds:0.0} s, measured first); {parallel} runs at a time.

            Right means what it means for the crashes: the verdict, the stages in order with none skipped or
            entered twice, the weight never lowered, the user's fields intact, the verdict told to the webhook
            (which answers every fourth delivery 503), no secret in any replica's output, the status or an event. Kill → standby leads: from the kill until the Lease names the standby; it is
            bounded below by the Lease, which must expire first. Kill → next step: until the standby's first step
            the watches saw (a weight written or a stage entered), which also waits for the stage's own time.
            Medians, with the range.

            {table.ToMarkdown()}

            Notifications: the webhook got {N(outcomes.Sum(o => o.Judged.Notifications))}, of which {N(outcomes.Sum(o => o.Judged.DuplicateNotifications))} repeated a transition already told (same
            event and stage) — delivery is at least once: a leader killed after telling and before recording that
            it told leaves the telling to the standby.
            {(wrong.Count == 0 ? "" : "\nWrong runs:\n\n" + string.Join("\n", wrong.Select(o => $"- killed at {o.KilledAt.TotalSeconds:0.0} s: {string.Join("; ", o.Judged.Wrong)}")))}
            """;
    }

    private static string N(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The median and range of the spans measured.</summary>
    private static string Seconds(IEnumerable<TimeSpan?> spans)
    {
        var sorted = spans.OfType<TimeSpan>().Select(s => s.TotalSeconds).Order().ToList();
        return sorted.Count == 0 ? "—" : string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Count / 2]:0.0} s ({sorted[0]:0.0}–{sorted[^1]:0.0})");
    }

    private static async Task<TimeSpan> CalibrateAsync()
    {
        await using var bed = await StartAsync();
        var clock = Stopwatch.StartNew();
        bed.StartServe("replica-a", Lease);
        await bed.CreatePlanAsync(FaultBed.Plan(inCluster: true));
        using var deadline = new CancellationTokenSource(Deadline);
        while (await bed.PhaseAsync() is not ("Succeeded" or "RolledBack" or "Failed"))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
        }

        return clock.Elapsed;
    }

    private static async Task<FaultBed> StartAsync()
    {
        var bed = await FaultBed.StartAsync(DemoScenario.Healthy);
        await bed.CreateSecretAsync();
        return bed;
    }

    private static async Task<FailoverOutcome> OnceAsync(TimeSpan killAt)
    {
        await using var bed = await StartAsync();
        var replicas = new Dictionary<string, Process> { ["replica-a"] = bed.StartServe("replica-a", Lease), ["replica-b"] = bed.StartServe("replica-b", Lease) };
        try
        {
            using var deadline = new CancellationTokenSource(Deadline);
            while (await bed.LeaderAsync() is not { Length: > 0 })
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
            }

            await bed.CreatePlanAsync(FaultBed.Plan(inCluster: true));
            await Task.Delay(killAt, deadline.Token);
            var leader = await bed.LeaderAsync();
            var ended = await bed.PhaseAsync() is "Succeeded" or "RolledBack" or "Failed";
            var killed = DateTimeOffset.UtcNow;
            replicas[leader!].Kill(entireProcessTree: true);
            while (await bed.LeaderAsync() == leader)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token);
            }

            var leads = DateTimeOffset.UtcNow - killed;
            while (await bed.PhaseAsync() is not ("Succeeded" or "RolledBack" or "Failed"))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), deadline.Token);
            }

            var judged = await bed.JudgeAsync(promotes: true);
            return new FailoverOutcome(killAt, leads, bed.FirstStepAfter(killed) - killed, judged) { EndedBeforeKill = ended };
        }
        catch (OperationCanceledException)
        {
            return new FailoverOutcome(killAt, null, null, RunJudgement.LostRun(bed));
        }
    }

    private sealed record FailoverOutcome(TimeSpan KilledAt, TimeSpan? Leads, TimeSpan? NextStep, RunJudgement Judged)
    {
        /// <summary>The rollout had ended when the leader was killed: the standby had nothing left to do.</summary>
        public bool EndedBeforeKill { get; init; }
    }
}
