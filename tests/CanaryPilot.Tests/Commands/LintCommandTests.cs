using System.Text.Json;

namespace CanaryPilot.Tests.Commands;

public sealed class LintCommandTests
{
    private static readonly string Invalid = Repository.Path("tests", "CanaryPilot.Core.Tests", "Fixtures", "invalid");

    [Fact]
    public void Lint_CleanResources_ExitsZero()
    {
        var run = CliRun.Of("lint", "-f", Repository.Path("deploy", "examples", "bookinfo"));

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["10 resources checked: 0 errors, 0 warnings"], run.OutLines);
    }

    [Fact]
    public void Lint_WarningsOnly_ExitsZero()
    {
        var file = Path.Combine(Invalid, "lint-conflicting.yaml");

        var run = CliRun.Of("lint", "-f", file);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith($"{file}:23:7: warning CP1012: spec.hosts: ", run.OutLines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_ErrorFinding_ExitsTwo()
    {
        var run = CliRun.Of("lint", "-f", Path.Combine(Invalid, "lint-weight-sum.yaml"));

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public void Lint_JsonOutput_CarriesCodeSeverityAndPosition()
    {
        var file = Path.Combine(Invalid, "lint-weight-negative.yaml");

        var run = CliRun.Of("lint", "-f", file, "-o", "json");

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.Equal(2, json.RootElement.GetProperty("errors").GetInt32());
        var findings = json.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("code").GetString(), f.GetProperty("line").GetInt32(), f.GetProperty("column").GetInt32(), f.GetProperty("file").GetString()));
        Assert.Equal([("CP1002", 16, 19, file), ("CP1002", 20, 19, file)], findings);
    }
}
