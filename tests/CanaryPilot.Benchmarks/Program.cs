using System.Globalization;
using CanaryPilot.Benchmarks;
using CanaryPilot.Benchmarks.Faults;
using CanaryPilot.Benchmarks.Judgement;

if (args is ["faults", .. var faultArgs])
{
    return await FaultHarness.RunAsync(faultArgs);
}

// scripts/bench [SUITE ...] [--runs N] [--trials N] [--sizes 1000,5000,10000] [--guard-sizes 1000,5000]: runs the suites, prints their tables and writes
// docs/benchmarks.md. Suites: latency, scale, judgement, footprint, micro (BenchmarkDotNet).
var suites = new List<string>();
var trials = 400;
var runs = 10;
int[] sizes = [1000, 5000, 10000];
int[] guardSizes = [1000, 5000];
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--trials":
            trials = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--runs":
            runs = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--sizes":
            sizes = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))];
            break;
        case "--guard-sizes":
            guardSizes = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(n => int.Parse(n, CultureInfo.InvariantCulture))];
            break;
        default:
            suites.Add(args[i]);
            break;
    }
}

string[] known = ["latency", "scale", "judgement", "footprint", "micro"];
if (suites.Count == 0)
{
    suites.AddRange(known);
}

if (suites.Except(known).FirstOrDefault() is { } unknown)
{
    Console.Error.WriteLine($"bench: unknown suite \"{unknown}\"; the suites are {string.Join(", ", known)}");
    return 2;
}

foreach (var suite in suites)
{
    var (title, body) = suite switch
    {
        "judgement" => ("Judgement quality", await JudgementSuite.RunAsync(trials, Console.Out)),
        "latency" => ("Decision latency", await CanaryPilot.Benchmarks.Latency.LatencySuite.RunAsync(runs, Console.Out)),
        "micro" => ("Hot paths", CanaryPilot.Benchmarks.Micro.MicroSuite.Run()),
        "footprint" => ("Footprint", await FootprintSuite.RunAsync(runs, Console.Out)),
        "scale" => ("Scale", await CanaryPilot.Benchmarks.Scale.ScaleSuite.RunAsync(sizes, guardSizes, Console.Out)),
        _ => throw new InvalidOperationException(suite),
    };
    Console.WriteLine($"\n## {title}\n\n{body}\n");
    Report.Benchmarks.Write(suite, title, body);
}

return 0;
