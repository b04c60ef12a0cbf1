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

    public static Option<string> Output()
    {
        var option = new Option<string>("--output", "-o")
        {
            Description = "text (one line per finding) or json.",
            DefaultValueFactory = _ => "text",
            HelpName = "text|json",
        };
        option.AcceptOnlyFromAmong("text", "json");
        return option;
    }

    public static OutputFormat Format(string? value) => value == "json" ? OutputFormat.Json : OutputFormat.Text;
}

internal enum OutputFormat
{
    Text,
    Json,
}
