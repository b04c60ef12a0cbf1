using System.Diagnostics;

namespace CanaryPilot.Tests.Commands;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("validate")]
    [InlineData("lint")]
    [InlineData("lint", "-f", "x.yaml", "--output", "xml")]
    [InlineData("launch")]
    public void MalformedCommandLine_ExitsTwoWithUsageHint(params string[] args)
    {
        var run = CliRun.Of(args);

        Assert.Equal(2, run.ExitCode);
        Assert.All(run.ErrorLines.Take(run.ErrorLines.Count - 1), l => Assert.StartsWith("canarypilot: ", l, StringComparison.Ordinal));
        Assert.Matches("^Run 'canarypilot( [a-z]+)? --help' for usage.$", run.ErrorLines[^1]);
    }

    [Fact]
    public void UnknownOutputFormat_IsExplainedOnOneLine()
    {
        var run = CliRun.Of("lint", "-f", "x.yaml", "--output", "xml");

        Assert.Equal(
            ["canarypilot: Argument 'xml' not recognized. Must be one of: 'text' 'json'", "Run 'canarypilot lint --help' for usage."],
            run.ErrorLines);
    }

    [Fact]
    public void Help_ListsTheCommandsAndExitsZero()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(run.OutLines, l => l.StartsWith("validate", StringComparison.Ordinal));
        Assert.Contains(run.OutLines, l => l.StartsWith("lint", StringComparison.Ordinal));
    }

    [Fact]
    public void Executable_PropagatesTheExitCodeAndPrintsOnlyTheFinding()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"canarypilot-{Guid.NewGuid():N}.yaml");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "validate", "-f", missing])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(2, process.ExitCode);
        Assert.Equal($"{missing}: no such file or directory\n", error);
        Assert.Empty(output);
    }
}
