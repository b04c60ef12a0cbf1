using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace CanaryPilot.Benchmarks;

/// <summary>
/// A document the harness writes (docs/benchmarks.md, docs/reliability.md): one section per suite between
/// markers, so running one suite replaces its own section and keeps the others' last results.
/// </summary>
internal sealed class Report(string path, string header)
{
    public static Report Benchmarks { get; } = new(Repository.Path("docs", "benchmarks.md"), """
        # Benchmarks

        Measured by the harness in `tests/CanaryPilot.Benchmarks`, run with one command:

        ```sh
        scripts/bench                      # every suite; writes this file
        scripts/bench judgement latency    # some suites; their sections are replaced, the others kept
        ```

        Each section says the machine, the number of runs, medians and ranges. None of these numbers is
        asserted by a test: speed and memory goals live here, never in timed tests.
        """);

    public static Report Reliability { get; } = new(Repository.Path("docs", "reliability.md"), """
        # Reliability under faults

        Measured by the fault harness in `tests/CanaryPilot.Benchmarks/Faults`, run with one command:

        ```sh
        scripts/faults                     # every fault suite; writes this file
        scripts/faults crash prometheus    # some suites; their sections are replaced, the others kept
        ```

        Each suite runs against the sandbox (the Kubernetes API emulator, the simulated mesh and a real
        Prometheus), with real `canarypilot` processes where the fault is a process fault, and stops by
        itself. Each section says the machine, the date, the runs, how many ended right, and what was
        lost, repeated or duplicated. A small slice (two crashes, a failover, a Prometheus outage) runs in
        the ordinary test suite (`tests/CanaryPilot.Tests/Faults`); the full runs are here.
        """);

    public static string Machine { get; } =
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";

    /// <summary>", at commit abc1234" when the harness runs from a git checkout (one with changes outside docs/, which the harness writes, says so).</summary>
    private static string Commit()
    {
        static string? Git(params string[] args)
        {
            try
            {
                var start = new System.Diagnostics.ProcessStartInfo("git", ["-C", Repository.Root, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
                using var git = System.Diagnostics.Process.Start(start)!;
                var output = git.StandardOutput.ReadToEnd().Trim();
                git.WaitForExit();
                return git.ExitCode == 0 ? output : null;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return null;
            }
        }

        return Git("rev-parse", "--short", "HEAD") is { } commit
            ? $", at commit {commit}{(Git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!docs") is { Length: > 0 } ? " with uncommitted changes" : "")}"
            : "";
    }

    public void Write(string suite, string title, string body)
    {
        var text = File.Exists(path) ? File.ReadAllText(path) : header + "\n";
        var section = $"""
            <!-- suite:{suite} -->
            ## {title}

            Run {DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} on {Machine}{Commit()}.

            {body.Trim()}
            <!-- /suite:{suite} -->
            """;
        var existing = new Regex($"<!-- suite:{suite} -->.*?<!-- /suite:{suite} -->", RegexOptions.Singleline);
        text = existing.IsMatch(text) ? existing.Replace(text, section.Replace("$", "$$", StringComparison.Ordinal)) : text.TrimEnd() + "\n\n" + section + "\n";
        File.WriteAllText(path, text);
    }
}
