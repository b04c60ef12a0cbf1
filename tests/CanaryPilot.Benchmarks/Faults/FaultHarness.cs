using System.Globalization;

namespace CanaryPilot.Benchmarks.Faults;

/// <summary>
/// <c>scripts/faults [SUITE ...] [--runs N] [--failing N] [--failovers N] [--prometheus-runs N] [--rollouts N] [--parallel N]</c>: runs the fault suites, prints
/// their tables and writes docs/reliability.md. Each suite is bounded in runs and time and stops by itself.
/// </summary>
internal static class FaultHarness
{
    private static readonly string[] Known = ["crash", "failover", "api", "prometheus", "hostile"];

    public static async Task<int> RunAsync(string[] args)
    {
        var suites = new List<string>();
        var runs = 100;
        var failing = 20;
        var parallel = 2;
        var failovers = 20;
        var prometheusRuns = 10;
        var rollouts = 50;
        string? bad = null;
        int Count(ref int i)
        {
            var flag = args[i];
            if (++i < args.Length && int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                return n;
            }

            bad ??= $"faults: {flag} takes a whole number";
            return 0;
        }

        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs":
                    runs = Count(ref i);
                    break;
                case "--failing":
                    failing = Count(ref i);
                    break;
                case "--failovers":
                    failovers = Count(ref i);
                    break;
                case "--prometheus-runs":
                    prometheusRuns = Count(ref i);
                    break;
                case "--rollouts":
                    rollouts = Count(ref i);
                    break;
                case "--parallel":
                    parallel = Count(ref i);
                    break;
                default:
                    suites.Add(args[i]);
                    break;
            }
        }

        if (bad is not null)
        {
            await Console.Error.WriteLineAsync(bad);
            return 2;
        }

        if (suites.Count == 0)
        {
            suites.AddRange(Known);
        }

        if (suites.Except(Known).FirstOrDefault() is { } unknown)
        {
            await Console.Error.WriteLineAsync($"faults: unknown suite \"{unknown}\"; the suites are {string.Join(", ", Known)}");
            return 2;
        }

        foreach (var suite in suites)
        {
            var (title, body) = suite switch
            {
                "crash" => ("Crashes: `run` killed at random moments", await CrashSuite.RunAsync(runs, failing, parallel, Console.Out)),
                "hostile" => ("Hostile input: the corpus, and a flood of malformed API requests", await HostileSuite.RunAsync(Console.Out)),
                "api" => ("Kubernetes API faults: conflicts, errors, dropped watches, latency", await ApiFaultSuite.RunAsync(rollouts, Console.Out)),
                "prometheus" => ("Prometheus faults: down, NaN, empty, slow", await PrometheusSuite.RunAsync(prometheusRuns, parallel, Console.Out)),
                "failover" => ("Failover: the leading `serve` replica killed", await FailoverSuite.RunAsync(failovers, parallel, Console.Out)),
                _ => throw new InvalidOperationException(suite),
            };
            Console.WriteLine($"\n## {title}\n\n{body}\n");
            Report.Reliability.Write(suite, title, body);
        }

        return 0;
    }
}
