using System.CommandLine;

namespace CanaryPilot.Cli;

/// <summary>Options several commands share, declared once so they read the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string[]> Files(string description) => new("--file", "-f")
    {
        Description = description,
        Required = true,
        Arity = ArgumentArity.OneOrMore,
    };

    public static Option<OutputFormat> Output() => new("--output", "-o")
    {
        Description = "text (one line per finding) or json.",
        DefaultValueFactory = _ => OutputFormat.Text,
    };
}

internal enum OutputFormat
{
    Text,
    Json,
}
