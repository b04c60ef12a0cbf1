using CanaryPilot.Cli;

namespace CanaryPilot.Tests;

/// <summary>One run of the command line, in process, with what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    public IReadOnlyList<string> OutLines => Lines(Out);

    public IReadOnlyList<string> ErrorLines => Lines(Error);

    public static CliRun Of(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = CanaryPilotCli.Run(args, stdout, stderr);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
