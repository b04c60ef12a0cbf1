using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CanaryPilot.Benchmarks;

/// <summary>
/// docs/benchmarks.md: one section per suite between markers, so running one suite replaces its own
/// section and keeps the others' last results.
/// </summary>
internal static partial class Report
{
    public static string Path { get; } = Repository.Path("docs", "benchmarks.md");

    public static string Machine { get; } =
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";

    private const string Header = """
        # Benchmarks

        Measured by the harness in `tests/CanaryPilot.Benchmarks`, run with one command:

        ```sh
        scripts/bench                      # every suite; writes this file
        scripts/bench judgement latency    # some suites; their sections are replaced, the others kept
        ```

        Each section says the machine, the number of runs, medians and ranges. None of these numbers is
        asserted by a test: speed and memory goals live here, never in timed tests.
        """;

    public static void Write(string suite, string title, string body)
    {
        var text = File.Exists(Path) ? File.ReadAllText(Path) : Header + "\n";
        var section = $"""
            <!-- suite:{suite} -->
            ## {title}

            Run {DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} on {Machine}.

            {body.Trim()}
            <!-- /suite:{suite} -->
            """;
        var existing = new Regex($"<!-- suite:{suite} -->.*?<!-- /suite:{suite} -->", RegexOptions.Singleline);
        text = existing.IsMatch(text) ? existing.Replace(text, section.Replace("$", "$$", StringComparison.Ordinal)) : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(Path, text);
    }
}
