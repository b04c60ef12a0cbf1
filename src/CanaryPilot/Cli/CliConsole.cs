namespace CanaryPilot.Cli;

/// <summary>Where a command writes: results to standard output, problems to standard error.</summary>
internal sealed record CliConsole(TextWriter Out, TextWriter Error);
