using System.CommandLine;
using CanaryPilot.Commands;

namespace CanaryPilot.Cli;

/// <summary>The command line: one root command, a subcommand per face of CanaryPilot.</summary>
public static class CanaryPilotCli
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = Root(new CliConsole(stdout, stderr));
        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                stderr.WriteLine($"canarypilot: {OneLine(error.Message)}");
            }

            var command = result.CommandResult.Command == root ? "canarypilot" : $"canarypilot {result.CommandResult.Command.Name}";
            stderr.WriteLine($"Run '{command} --help' for usage.");
            return ExitCodes.InvalidInput;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of ours, not the user's input: say so in one line, never with a stack trace.
            stderr.WriteLine($"canarypilot: internal error: {e.GetType().Name}: {OneLine(e.Message)}");
            return ExitCodes.InfrastructureFailure;
        }
    }

    /// <summary>Every command, writing to <paramref name="console"/>.</summary>
    internal static RootCommand Root(CliConsole console)
    {
        var root = new RootCommand("CanaryPilot: progressive delivery for Istio. Validates rollout plans, lints Istio resources, runs canary rollouts.");
        root.Subcommands.Add(ValidateCommand.Create(console));
        root.Subcommands.Add(LintCommand.Create(console));
        root.Subcommands.Add(ImportCommand.Create(console));
        root.Subcommands.Add(AnalyzeCommand.Create(console));
        root.Subcommands.Add(BacktestCommand.Create(console));
        root.Subcommands.Add(RunCommand.Create(console));
        root.Subcommands.Add(Demo.DemoCommand.Create(console));
        root.Subcommands.Add(ServeCommand.Create(console));
        foreach (var client in ApiClientCommands.Create(console))
        {
            root.Subcommands.Add(client);
        }

        root.Subcommands.Add(SandboxCommand.Create(console));
        root.Subcommands.Add(NotifyTestCommand.Create(console));
        return root;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));
}
