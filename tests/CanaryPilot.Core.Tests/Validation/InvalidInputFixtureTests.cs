using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Istio.Lint;
using CanaryPilot.Core.Validation;

namespace CanaryPilot.Core.Tests.Validation;

/// <summary>
/// Every file in Fixtures/invalid says which command reads it (<c># command:</c>) and the exact
/// findings it must produce, each as <c># expect: line:column: …</c> at its end, so the positions
/// of the document above are not shifted by the expectations.
/// </summary>
public sealed class InvalidInputFixtureTests
{
    public static TheoryData<string> Fixtures() =>
        [.. Directory.EnumerateFiles(Fixture.Path("invalid"), "*.yaml").Select(f => System.IO.Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Fixture_ProducesExactlyItsExpectedFindings(string name)
    {
        var path = Fixture.Path("invalid", name);
        var lines = File.ReadAllLines(path);
        var command = lines[1]["# command: ".Length..];
        var expected = lines.Where(l => l.StartsWith("# expect: ", StringComparison.Ordinal)).Select(l => path + ":" + l["# expect: ".Length..]).ToList();
        Assert.NotEmpty(expected);

        var input = new InputLoader().Load([path]);
        var findings = command switch
        {
            "validate" => PlanValidation.Validate(input, TemplateCatalog.BuiltIn()).Diagnostics,
            "lint" => IstioLinter.Lint(input),
            _ => throw new InvalidOperationException($"unknown command {command} in {name}"),
        };

        Assert.Equal(expected, findings.Select(f => f.ToString()));
    }

    [Fact]
    public void Fixtures_CoverEveryLintRule()
    {
        var expectations = Directory.EnumerateFiles(Fixture.Path("invalid"), "lint-*.yaml").SelectMany(File.ReadAllLines).ToList();

        var uncovered = LintRules.All.Where(r => !expectations.Exists(l => l.Contains($" {r.Code}: ", StringComparison.Ordinal)));

        Assert.Empty(uncovered);
    }
}
