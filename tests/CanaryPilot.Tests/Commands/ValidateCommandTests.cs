using System.Text.Json;

namespace CanaryPilot.Tests.Commands;

public sealed class ValidateCommandTests
{
    [Fact]
    public void Validate_BookinfoExamples_ExitsZeroAndDescribesEachPlan()
    {
        var run = CliRun.Of("validate", "-f", Repository.Path("deploy", "examples", "bookinfo"));

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(run.Error);
        Assert.Equal(
            [
                "RolloutPlan bookinfo/reviews is valid: 5% -> 25% -> 50% -> 100%, 2 metrics every 1m",
                "RolloutPlan bookinfo/reviews-guarded is valid: mirror 50% -> A/B -> 10% -> 50%, 2 metrics every 1m",
                "RolloutPlan bookinfo/reviews-resilience is valid: 10% -> resilience 10% (faults on ratings) -> 50% -> 100%, 2 metrics every 1m",
                "RolloutPlan bookinfo/reviews-sequential is valid: 10% -> 25% -> 50%, 3 metrics every 30s",
            ],
            run.OutLines);
    }

    [Fact]
    public void Validate_PlanAndIstioFilesGivenSeparately_ChecksThemTogether()
    {
        var examples = Repository.Path("deploy", "examples", "bookinfo");

        var run = CliRun.Of(
            "validate",
            "-f", Path.Combine(examples, "rolloutplan-auto.yaml"),
            "-f", Path.Combine(examples, "reviews-virtualservice.yaml"),
            "-f", Path.Combine(examples, "reviews-destinationrule.yaml"));

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Validate_PlanWithoutItsDestinationRule_FindsTheUndefinedSubsets()
    {
        var examples = Repository.Path("deploy", "examples", "bookinfo");
        var plan = Path.Combine(examples, "rolloutplan-auto.yaml");

        var run = CliRun.Of("validate", "-f", plan, "-f", Path.Combine(examples, "reviews-virtualservice.yaml"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            [
                $"{plan}:15:15: spec.service.stable.subset: subset \"v1\" of host reviews is not defined: no DestinationRule in the given files is for host reviews",
                $"{plan}:20:15: spec.service.canary.subset: subset \"v2\" of host reviews is not defined: no DestinationRule in the given files is for host reviews",
            ],
            run.ErrorLines);
    }

    [Fact]
    public void Validate_JsonOutput_ListsFindingsWithPositions()
    {
        var plan = Repository.Path("tests", "CanaryPilot.Core.Tests", "Fixtures", "invalid", "plan-weights-decrease.yaml");

        var run = CliRun.Of("validate", "-f", plan, "--output", "json");

        Assert.Equal(2, run.ExitCode);
        using var json = JsonDocument.Parse(run.Out);
        Assert.False(json.RootElement.GetProperty("valid").GetBoolean());
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray().ToList());
        Assert.Equal((28, 15, "error", "spec.stages[2].weight"), (
            finding.GetProperty("line").GetInt32(),
            finding.GetProperty("column").GetInt32(),
            finding.GetProperty("severity").GetString(),
            finding.GetProperty("path").GetString()));
    }

    [Fact]
    public void Validate_FilesWithoutAnyPlan_SaysThereIsNoPlan()
    {
        var file = Repository.Path("deploy", "examples", "bookinfo", "reviews-virtualservice.yaml");

        var run = CliRun.Of("validate", "-f", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal([$"{file}: no RolloutPlan (canarypilot.io/v1alpha1) among the given files"], run.ErrorLines);
    }
}
