using CanaryPilot.Tests.EndToEnd;

namespace CanaryPilot.Tests.Service;

/// <summary>The CLI as a client of a running server, as a CI job uses it.</summary>
public sealed class ApiClientCommandTests
{
    [Fact]
    public async Task StatusWait_FollowsTheRolloutToItsVerdict_AndRefusalsExitAsRun()
    {
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync();
        await using var service = await ServiceUnderTest.StartAsync(bed);
        var server = service.Http.BaseAddress!.ToString();

        var refused = await Task.Run(() => CliRun.Of("abort", "bookinfo/reviews", "--server", server, "--token", ServiceUnderTest.ViewerToken));
        var waited = await Task.Run(() => CliRun.Of("status", "bookinfo/reviews", "--server", server, "--token", ServiceUnderTest.ViewerToken, "--wait", "--timeout", "00:02:00"));
        var late = await Task.Run(() => CliRun.Of("approve", "bookinfo/reviews", "--server", server, "--token", ServiceUnderTest.OperatorToken));
        var unknown = await Task.Run(() => CliRun.Of("status", "bookinfo/nothing", "--server", server, "--token", ServiceUnderTest.ViewerToken));

        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("canarypilot: abort bookinfo/reviews: 403 this token may read but not change rollouts", refused.ErrorLines[0]);
        Assert.True(waited.ExitCode == 0, waited.Out + waited.Error);
        Assert.StartsWith("Succeeded ", waited.OutLines[^1], StringComparison.Ordinal);
        Assert.Equal(1, late.ExitCode);
        Assert.Equal(2, unknown.ExitCode);
    }
}
