using System.Diagnostics;

namespace CanaryPilot.Benchmarks;

/// <summary>
/// Footprint: <c>scripts/footprint</c> publishes the controller each way the Dockerfile could and measures
/// its size, the CLI's cold start, <c>serve</c>'s time to ready against the API emulator and its idle memory.
/// </summary>
internal static class FootprintSuite
{
    public static async Task<string> RunAsync(int runs, TextWriter progress)
    {
        await progress.WriteLineAsync("footprint: publishing and starting the controller (scripts/footprint)");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Repository.Root };
        start.ArgumentList.Add(Repository.Path("scripts", "footprint"));
        start.ArgumentList.Add(Math.Min(runs, 10).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"scripts/footprint failed ({process.ExitCode}): {await error}");
        }

        return $"""
            `scripts/footprint` publishes `src/CanaryPilot` framework-dependent, plain and ReadyToRun (the
            Dockerfile's choice), and for each: the size of the publish directory; the CLI's cold start
            (`canarypilot --version`); `serve`'s time from start until `/readyz` answers 200 against the
            API emulator (the RolloutPlan watch established); its resident memory 5 s later, idle. Why
            ReadyToRun and not trimming or self-contained: [deployment.md](deployment.md#publish-options-by-measurement).

            {(await output).Trim()}
            """;
    }
}
