using System.Collections.Concurrent;
using System.Globalization;

namespace CanaryPilot.Benchmarks.Judgement;

/// <summary>
/// Judgement quality by Monte Carlo: for each trial, one stream of requests; for each kind of canary
/// and each policy, a whole rollout on that stream; counted over the trials, how often a bad canary is
/// rolled back and a healthy one is (falsely).
/// </summary>
internal static class JudgementSuite
{
    public const double RequestsPerSecond = 100;
    private const int Seconds = 20 * 60;

    /// <summary>The success rate judged against stable's, in both policies that compare with it.</summary>
    private const string SuccessRateAgainstStable = """
              - name: success-rate
                template: istio-success-rate
                window: 2m
                thresholds: {min: 98}
                critical: {min: 90}
                compareToStable: {mode: absolute, maxDecrease: 0.5}
        """;

    public static IReadOnlyList<IPolicy> Policies { get; } =
    [
        new EnginePolicy(
            "CanaryPilot, fixed thresholds",
            "the same limits over the last 1m; 2 failed checks in a row roll back (failureLimit 1, consecutive)",
            """
                  - {name: success-rate, template: istio-success-rate, window: 1m, thresholds: {min: 99}}
                  - {name: latency-p99, template: istio-request-duration-p99, window: 1m, thresholds: {max: 500}}
            """),
        new EnginePolicy(
            "CanaryPilot, against stable (p99)",
            "over the last 2m: success rate at most 0.5 points below stable's (and ≥ 98%, critical 90%), p99 at most 10% above stable's (and ≤ 500 ms); 2 failed checks in a row roll back",
            SuccessRateAgainstStable + "\n" + """
                  - name: latency-p99
                    template: istio-request-duration-p99
                    window: 2m
                    thresholds: {max: 500}
                    compareToStable: {mode: relative, maxIncrease: 10}
            """),
        new EnginePolicy(
            "CanaryPilot, against stable (p50)",
            "as above, with the median latency compared instead of p99 (at most 10% above stable's), and p99 ≤ 500 ms kept as a limit",
            SuccessRateAgainstStable + "\n" + """
                  - name: latency-p50
                    template: istio-request-duration-p50
                    window: 2m
                    compareToStable: {mode: relative, maxIncrease: 10}
                  - {name: latency-p99, template: istio-request-duration-p99, window: 2m, thresholds: {max: 500}}
            """),
        new EnginePolicy(
            "CanaryPilot, sequential",
            "stages 10% → 50% (a minute at least at 10%, then on unless shown worse; 30 s at least at 50%), checked every 30 s; the sequential judge (confidence 0.95 each, the plan default being 0.99) on the 5xx rate (rolled back above 1.1× stable's, passed below 1.9×, just inside +0.5 points) and on the share of requests slower than 100 ms (rolled back above 1.2×, passed below 1.36×: 10% slower is 1.36×, 3% slower 1.10×), counting from the rollout's start; p99 ≤ 500 ms as a limit; inconclusive for up to 20m",
            """
                  - name: errors
                    template: istio-error-rate-5xx
                    judge: sequential
                    confidence: 0.95
                    compareToStable: {mode: relative, maxIncrease: 10, promoteWithin: 90}
                  - name: slower-than-100ms
                    template: istio-latency-above
                    args: {bound: "100"}
                    judge: sequential
                    confidence: 0.95
                    compareToStable: {mode: relative, maxIncrease: 20, promoteWithin: 36}
                  - {name: latency-p99, template: istio-request-duration-p99, window: 1m, thresholds: {max: 500}}
            """,
            "{minRequestVolume: 50, maxDuration: 20m}",
            "[{weight: 10, minDuration: 1m, advance: unlessWorse}, {weight: 50, minDuration: 30s}]",
            "30s"),
        new FixedThresholdPolicy(),
    ];

    public static async Task<string> RunAsync(int trials, TextWriter progress)
    {
        var outcomes = new ConcurrentDictionary<(string Scenario, string Policy), ConcurrentBag<Outcome>>();
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, trials), new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, async (trial, _) =>
        {
            var streams = new Dictionary<Load, RequestStream>();
            foreach (var scenario in Scenario.All)
            {
                if (!streams.TryGetValue(scenario.Load, out var stream))
                {
                    streams[scenario.Load] = stream = new RequestStream(trial, Rate(scenario.Load), Seconds);
                }

                foreach (var policy in Policies)
                {
                    var outcome = await policy.RunAsync(stream, scenario);
                    outcomes.GetOrAdd((scenario.Name, policy.Name), _ => []).Add(outcome);
                }
            }

            if (Interlocked.Increment(ref done) % Math.Max(1, trials / 10) == 0)
            {
                await progress.WriteLineAsync($"judgement: {done}/{trials} trials");
            }
        });

        // At a glance: per policy, the false-rollback rate and the probability of catching each regression.
        var summary = new Table(["policy", .. Scenario.All.Select(s => s.Healthy ? $"false rollbacks ({s.Name})" : s.Tolerated ? $"rolled back: {s.Name} (tolerated)" : $"caught: {s.Name}")]);
        foreach (var policy in Policies)
        {
            summary.Add([policy.Name, .. Scenario.All.Select(s =>
            {
                var runs = outcomes[(s.Name, policy.Name)];
                return $"{100.0 * runs.Count(o => o.RolledBack) / runs.Count:0.#}%";
            })]);
        }

        var table = new Table("canary", "policy", "rolled back", "promoted", "undecided at 20 min", "median time to the verdict");
        foreach (var scenario in Scenario.All)
        {
            foreach (var policy in Policies)
            {
                var runs = outcomes[(scenario.Name, policy.Name)].ToList();
                var rolledBack = runs.Count(o => o.RolledBack);
                var promoted = runs.Count(o => o.Promoted);
                var decided = runs.Where(o => o.Promoted || o.RolledBack).Select(o => o.After.TotalMinutes).Order().ToList();
                table.Add(
                    scenario.Name,
                    policy.Name,
                    Proportion(rolledBack, runs.Count),
                    Proportion(promoted, runs.Count),
                    Proportion(runs.Count - rolledBack - promoted, runs.Count),
                    decided.Count == 0 ? "—" : $"{decided[decided.Count / 2].ToString("0.#", CultureInfo.InvariantCulture)} min");
            }
        }

        return $"""
            {trials} trials. Each trial draws one stream of requests at {RequestsPerSecond} per second for 20 minutes (and two
            more for the healthy canaries under other loads: from 100 to 200 a second over the 20 minutes, and 10 a second);
            every kind of canary and every policy then runs a whole rollout (10% → 20% → 30% → 40% → 50%, one
            analysis a minute) on that same stream. Stable fails {Scenario.StableErrorRate * 100:0.0}% of requests and answers with a
            log-normal latency (median {Scenario.MedianMs} ms, p99 {Scenario.P99Ms} ms), measured through Istio's histogram buckets as
            `histogram_quantile` reads them. For a bad canary "rolled back" is the probability of catching it;
            for the healthy one it is the false-rollback rate. Each trial's stream has a fixed seed, so a
            run with the same number of trials repeats these numbers exactly.

            {summary.ToMarkdown()}

            In full, with the 95% Wilson interval in brackets:

            {table.ToMarkdown()}

            Policies:

            {string.Join("\n", Policies.Select(p => $"- **{p.Name}**: {p.Rules}."))}

            **What it shows.** A fixed 99% floor sits right where a +0.5-point regression lands (0.5% → 1.0%
            errors), so a policy that needs five failed checks lets many such canaries through, and late;
            judging two failures in a row, or against the stable's own rate, catches most of them within a
            few minutes while keeping false rollbacks rare. Latency regressions of 10–25% are invisible to a
            500 ms limit, and nearly invisible to a p99 comparison: with Istio's default buckets both p99s
            fall in the 100–250 ms bucket, where `histogram_quantile` interpolates linearly and a 25% shift
            moves the estimate by a few percent. The median, in finer buckets, shows the shift: compare
            p50 (or p95) against stable, and keep p99 as a limit.

            **The sequential judge** counts from the rollout's start and compares canary with stable on those
            counts, with its error rates bounded at every look: healthy canaries were rolled back about as
            rarely as under the fixed limits (the few that were, on a run of early errors the test takes
            for a 2–3× rate). On the buckets it sees latency shifts that quantile estimates hide (10% and
            25% slower), and it catches error regressions without a fixed floor, +1 point in two minutes.
            It promotes only on evidence: the last stage passes once the canary is shown within the promotion
            margin (`promoteWithin`), wider than the rollback limit — and a rollout whose traffic cannot show
            it holds: at 10 requests a second, where noise alone makes limits checked minute by minute roll
            back a healthy canary again and again, it almost never decides (the few promoted had been shown
            within the margins). Load that doubles during the rollout changes nothing, as the model says:
            both versions see it.

            The 10% stage moves on after its minute unless the canary is shown worse (`advance:
            unlessWorse`): at 10% weight and 0.5% errors the canary answers about 3 errors a minute, and
            showing it within 1.9× stable's rate there takes about 6 minutes; at 50% the same evidence
            comes five times faster, and every count from the 10% stage still counts. With the 10% stage
            waiting for the evidence too (`advance: onPass`), a healthy canary was promoted in 6 minutes
            and 1% were undecided at 20 (run of 2026-12-02).

            **Correlated checks.** A check reads a window of the last 1–2 minutes every minute, so successive
            checks share requests and are not independent. The harness does not pretend they are: it
            simulates the request stream itself, second by second, and evaluates every check on it exactly
            as Prometheus would over the same range — overlapping windows see the same requests. The
            uncertainty is computed over trials (independent streams), never over checks. The policies are
            compared on the same streams (common random numbers: a request's route, failure and latency
            are drawn once, so a higher weight sends more of the same requests to the canary), which makes
            the differences between rows of one canary sharper than their intervals suggest.
            """;
    }

    /// <summary>Requests a second at second <c>s</c> of the run.</summary>
    private static Func<int, double> Rate(Load load) => load switch
    {
        Load.Doubling => s => RequestsPerSecond * (1 + ((double)s / Seconds)),
        Load.Low => _ => RequestsPerSecond / 10,
        _ => _ => RequestsPerSecond,
    };

    private static string Proportion(int count, int total)
    {
        var (low, high) = Wilson(count, total);
        return $"{100.0 * count / total:0.0}% [{low:0.0}–{high:0.0}]";
    }

    /// <summary>The Wilson score interval at 95%, in percent.</summary>
    private static (double Low, double High) Wilson(int successes, int n)
    {
        const double z = 1.959964;
        var p = (double)successes / n;
        var centre = (p + z * z / (2 * n)) / (1 + z * z / n);
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / (1 + z * z / n);
        return (100 * Math.Max(0, centre - half), 100 * Math.Min(1, centre + half));
    }
}
