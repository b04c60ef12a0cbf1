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

    /// <summary>The Prometheus to query instead of the plan's.</summary>
    public static Option<string?> Prometheus() =>
        new("--prometheus") { Description = "Base URL of the Prometheus HTTP API; overrides spec.analysis.prometheus.address.", HelpName = "URL" };

    /// <summary>The cluster whose Secrets the plan's Prometheus credentials name.</summary>
    public static Option<string?> SecretsKubeconfig() =>
        new("--kubeconfig") { Description = "A kubeconfig for reading the Secrets the plan's secretKeyRefs name.", HelpName = "FILE" };

    /// <summary>A command that reads <c>-f</c> files and reports findings as text or JSON.</summary>
    public static Command FileCommand(string name, string description, string filesDescription, Func<IReadOnlyList<string>, OutputFormat, int> run)
    {
        var files = Files(filesDescription);
        var output = Output();
        var command = new Command(name, description) { files, output };
        command.SetAction(result => run(result.GetValue(files)!, result.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text));
        return command;
    }
}

internal enum OutputFormat
{
    Text,
    Json,
}
