using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Validation;
using CanaryPilot.Hosting;
using CanaryPilot.Sandbox.KubeApi;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Tests.Notifications;

/// <summary>The engine's composition tells the plan's notifiers what its reconciler announces, and offers the gate keeper.</summary>
public sealed class EngineNotificationsTests
{
    [Fact]
    public async Task EngineAnnouncer_SendsThePlansNotifications()
    {
        await using var cluster = await KubeApiCluster.StartAsync();
        await using var receiver = await Receiver.StartAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRolloutEngine(new EngineSettings { Cluster = cluster.Configuration });
        var plan = PlanWithWebhook(receiver.Url("/events"));

        await using (var engine = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }))
        {
            Assert.IsType<CanaryPilot.Notifications.Gates.HttpGateKeeper>(engine.GetRequiredService<IGateKeeper>());
            await engine.GetRequiredService<IAnnouncer>().AnnounceAsync(
                plan,
                new RolloutStatus { Phase = RolloutPhase.Succeeded, CanaryWeight = 100, StableWeight = 0 },
                new Announce(RolloutEventType.Promoted, Severity.Info, "Promoted", "promoted reviews subset v2"),
                CancellationToken.None);
        }

        var cloudEvent = Assert.Single(receiver.Requests).Json;
        Assert.Equal("io.canarypilot.rollout.promoted", (string?)cloudEvent["type"]);
        Assert.Equal("promoted reviews subset v2", (string?)cloudEvent["data"]!["message"]);
    }

    private static RolloutPlan PlanWithWebhook(Uri url)
    {
        var yaml = $"{EndToEnd.RolloutTestBed.Plan}\n  notifications: [{{name: audit, webhook: {{url: \"{url}\"}}}}]\n";
        return Assert.Single(PlanValidation.Validate(new InputLoader().LoadText("plan.yaml", yaml), TemplateCatalog.BuiltIn()).ValidPlans);
    }
}
