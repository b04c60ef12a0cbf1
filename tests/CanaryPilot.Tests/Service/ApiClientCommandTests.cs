using Microsoft.AspNetCore.Http;
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

    [Fact]
    public async Task Trigger_RefusedByAStandbyReplica_IsSentAgainOnANewConnection_UntilTheLeaderTakesIt()
    {
        await using var server = await Receiver.StartAsync(async (n, context) =>
        {
            if (n <= 2)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "0";
                context.Response.Headers[CanaryPilot.Service.RolloutsApi.StandbyHeader] = "true";
                await context.Response.WriteAsJsonAsync(new { title = "Standby replica", detail = "this replica is on standby; send changes to the leader" });
                return;
            }

            context.Response.StatusCode = 202;
            await context.Response.WriteAsJsonAsync(new { triggered = true, duplicate = false });
        });

        var run = await Task.Run(() => CliRun.Of("trigger", "bookinfo/reviews", "--server", server.Address.ToString(), "--token", "t", "--revision", "reviews:2.1.0"));

        Assert.True(run.ExitCode == 0, run.Out + run.Error);
        Assert.Equal(3, server.Count);
        Assert.All(server.Requests, r => Assert.Equal("close", r.Header("Connection")));
        Assert.All(server.Requests, r => Assert.Equal("reviews:2.1.0", (string?)r.Json["idempotencyKey"]));
    }

    [Fact]
    public async Task Promote_AnsweredUnavailableByTheLeader_IsNotSentAgain_ForItMayHaveBeenCarriedOut()
    {
        await using var server = await Receiver.StartAsync(async (_, context) =>
        {
            context.Response.StatusCode = 503;
            context.Response.Headers.RetryAfter = "0";
            await context.Response.WriteAsJsonAsync(new { title = "Kubernetes API unavailable", detail = "the Kubernetes API failed this request (timeout); try again" });
        });

        var run = await Task.Run(() => CliRun.Of("promote", "bookinfo/reviews", "--server", server.Address.ToString(), "--token", "t"));

        Assert.Equal(3, run.ExitCode);
        Assert.Equal(1, server.Count);
    }

    [Fact]
    public async Task Abort_ThatConflicts_IsNotSentAgain()
    {
        await using var server = await Receiver.StartAsync(async (_, context) =>
        {
            context.Response.StatusCode = 409;
            await context.Response.WriteAsJsonAsync(new { title = "abort does not apply now", detail = "the rollout has ended" });
        });

        var run = await Task.Run(() => CliRun.Of("abort", "bookinfo/reviews", "--server", server.Address.ToString(), "--token", "t"));

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(1, server.Count);
    }

    [Fact]
    public async Task StatusWait_RightAfterATrigger_WaitsForTheNewRolloutsVerdict_NotThePreviousOne()
    {
        await using var server = await Receiver.StartAsync(async (n, context) => await context.Response.WriteAsJsonAsync(n == 1
            ? new { generation = 3, status = new { phase = "Succeeded", observedGeneration = 2 } }
            : new { generation = 3, status = new { phase = "RolledBack", observedGeneration = 3 } }));

        var run = await Task.Run(() => CliRun.Of("status", "bookinfo/reviews", "--server", server.Address.ToString(), "--token", "t", "--wait", "--timeout", "1m"));

        Assert.True(run.ExitCode == 1, run.Out + run.Error);
        Assert.Equal(2, server.Count);
    }

    [Fact]
    public void StatusWait_WithATimeoutThatIsNoDuration_IsInvalidInput()
    {
        var run = CliRun.Of("status", "bookinfo/reviews", "--server", "http://127.0.0.1:9", "--wait", "--timeout", "soon");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--timeout", run.Error, StringComparison.Ordinal);
    }
}
