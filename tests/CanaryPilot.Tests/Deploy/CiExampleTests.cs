using System.Text.RegularExpressions;
using CanaryPilot.Cli;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Tests.Deploy;

/// <summary>The CI examples in deploy/ci are valid YAML, and every canarypilot command in them is one the CLI accepts.</summary>
public sealed partial class CiExampleTests
{
    public static TheoryData<string> Examples => ["github-actions.yml", "gitlab-ci.yml"];

    [Theory]
    [MemberData(nameof(Examples))]
    public void Example_IsYaml_AndItsCanaryPilotCommandsParse(string file)
    {
        var text = File.ReadAllText(Repository.Path("deploy", "ci", file));
        Assert.Single(new InputLoader().LoadText(file, text).Documents);

        var commands = text.Split('\n')
            .Where(line => !line.TrimStart().StartsWith('#'))
            .Select(line => Invocation().Match(line))
            .Where(m => m.Success)
            .Select(m => Words(m.Groups["args"].Value))
            .ToList();
        Assert.Contains(commands, c => c[0] == "trigger");
        Assert.Contains(commands, c => c[0] == "status" && c.Contains("--wait"));
        Assert.Contains(commands, c => c[0] == "run");

        using var quiet = new StringWriter();
        var root = CanaryPilotCli.Root(new CliConsole(quiet, quiet));
        foreach (var command in commands)
        {
            var parsed = root.Parse(command);
            Assert.True(parsed.Errors.Count == 0, $"{file}: canarypilot {string.Join(' ', command)}: {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        }
    }

    [Fact]
    public void CanaryDeployment_IsTheWorkloadTheTriggerNames()
    {
        var template = File.ReadAllText(Repository.Path("deploy", "ci", "canary-deployment.yaml")).Replace("__VERSION__", "4f2a9c1e", StringComparison.Ordinal).Replace("__IMAGE__", "registry.example/reviews:4f2a9c1e", StringComparison.Ordinal);
        var deployment = InstallManifest.Parse("canary-deployment.yaml", template).Objects.Single();
        Assert.Equal("reviews-4f2a9c1e", (string?)deployment["metadata"]!["name"]);
        Assert.Equal("4f2a9c1e", (string?)deployment["spec"]!["template"]!["metadata"]!["labels"]!["version"]);
        Assert.Equal("4f2a9c1e", (string?)deployment["spec"]!["selector"]!["matchLabels"]!["version"]);
    }

    /// <summary>Shell words: double-quoted strings are one word, variables stay as they are written.</summary>
    private static string[] Words(string text) =>
        [.. Word().Matches(text).Select(m => m.Groups["quoted"].Success ? m.Groups["quoted"].Value : m.Value)];

    [GeneratedRegex(@"(^|[\s:|-])canarypilot (?<args>[a-z][\w-]*( .*)?)$")]
    private static partial Regex Invocation();

    [GeneratedRegex(@"""(?<quoted>[^""]*)""|\S+")]
    private static partial Regex Word();
}
