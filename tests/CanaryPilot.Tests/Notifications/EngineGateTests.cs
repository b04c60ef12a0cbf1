using System.Text.Json.Nodes;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using CanaryPilot.Testing;
using CanaryPilot.Tests.EndToEnd;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.Notifications;

/// <summary>A whole rollout whose traffic increases a real HTTP gate first refuses, then allows.</summary>
public sealed class EngineGateTests
{
    [Fact]
    public async Task ClosedTrafficGate_HoldsTheRollout_UntilItOpens_ThenTheRolloutGoesOn()
    {
        // Open for the first stage, closed twice for the second, then open.
        await using var gate = await Receiver.StartAsync((n, context) =>
        {
            context.Response.StatusCode = n is 2 or 3 ? 409 : 200;
            return context.Response.WriteAsync(n is 2 or 3 ? "change freeze" : "ok", context.RequestAborted);
        });
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy);
        await bed.CreatePlanAsync($"{RolloutTestBed.Plan}\n  gates: [{{name: freeze, type: confirmTrafficIncrease, url: \"{gate.Url("/gate")}\", timeout: 5s}}]\n");
        await using var engine = bed.StartEngine();
        await (await engine.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        await engine.GetRequiredService<RolloutScheduler>().ScheduleAsync("bookinfo", "reviews", TimeSpan.FromSeconds(2), CancellationToken.None);

        var held = new List<(int Stage, int LiveWeight)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RolloutStatus status;
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(deadline.Token))
        {
            status = report.Result!.Status!;
            if (status.AwaitingGate == Core.Plans.GateType.ConfirmTrafficIncrease)
            {
                held.Add((status.Stage!.Value, await bed.LiveCanaryWeightAsync()));
                Assert.Contains("change freeze", status.Message, StringComparison.Ordinal);
            }

            if (RolloutMachine.IsTerminal(status.Phase))
            {
                Assert.Equal(RolloutPhase.Succeeded, status.Phase);
                break;
            }
        }

        Assert.NotEmpty(held);
        Assert.All(held, h => Assert.Equal((0, 20), h));
        Assert.Equal(5, gate.Count);
        var asked = gate.Requests[0].Json;
        Assert.Equal(("freeze", "confirmTrafficIncrease", "reviews", "bookinfo"), ((string?)asked["gate"], (string?)asked["type"], (string?)asked["name"], (string?)asked["namespace"]));
    }
}
