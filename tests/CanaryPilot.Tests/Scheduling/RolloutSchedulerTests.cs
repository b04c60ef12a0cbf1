using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Scheduling;
using CanaryPilot.Testing.Engine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace CanaryPilot.Tests.Scheduling;

/// <summary>Quartz drives rollouts on a fake clock: one job per rollout, fired every analysis interval, gone when it ends.</summary>
public sealed class RolloutSchedulerTests : IAsyncLifetime
{
    private static readonly RolloutPlan Plan = TestPlans.Reviews(stages: "[{weight: 10}, {weight: 100}]");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero));
    private readonly FakeWorld _world = new(Plan);
    private ServiceProvider _services = null!;
    private IScheduler _quartz = null!;

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(_world.Reconciler(_clock));
        services.AddSingleton<RolloutProgress>();
        services.AddSingleton(CanaryPilot.Core.Diagnostics.IErrorCounter.None);
        services.AddSingleton<RolloutScheduler>();
        services.AddSingleton<GuardCandidates>();
        services.AddQuartz(q => q.UseTimeProvider(_clock));
        _services = services.BuildServiceProvider();
        _quartz = await _services.GetRequiredService<ISchedulerFactory>().GetScheduler();
        await _quartz.Start();
    }

    public async Task DisposeAsync()
    {
        await _quartz.Shutdown(waitForJobsToComplete: true);
        await _services.DisposeAsync();
    }

    private async Task<RolloutReport> NextReportAsync()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await _services.GetRequiredService<RolloutProgress>().Reports.ReadAsync(deadline.Token);
    }

    [Fact]
    public async Task ScheduledRollout_IsReconciledEveryIntervalUntilItEnds_ThenItsJobIsGone()
    {
        var scheduler = _services.GetRequiredService<RolloutScheduler>();

        await scheduler.ScheduleAsync("bookinfo", "reviews", Plan.Spec.Analysis.Interval, CancellationToken.None);
        var phases = new List<RolloutPhase> { (await NextReportAsync()).Result!.Status!.Phase };
        while (!RolloutMachine.IsTerminal(phases[^1]))
        {
            _clock.Advance(Plan.Spec.Analysis.Interval);
            phases.Add((await NextReportAsync()).Result!.Status!.Phase);
        }

        Assert.Equal([RolloutPhase.Progressing, RolloutPhase.Progressing, RolloutPhase.Succeeded], phases);
        await Eventually.TrueAsync(async () => !await scheduler.IsScheduledAsync("bookinfo", "reviews", CancellationToken.None), "the job to remove itself");
    }

    [Fact]
    public async Task Rebuild_SchedulesOnlyRolloutsThatAreStillGoing()
    {
        var scheduler = _services.GetRequiredService<RolloutScheduler>();
        _world.Store.Status = new RolloutStatus { Phase = RolloutPhase.Succeeded };

        Assert.Equal(0, await scheduler.RebuildAsync(await _world.Store.ListAsync(CancellationToken.None), CancellationToken.None));
        _world.Store.Status = new RolloutStatus { Phase = RolloutPhase.Progressing, Stage = 0, CanaryWeight = 10 };
        Assert.Equal(1, await scheduler.RebuildAsync(await _world.Store.ListAsync(CancellationToken.None), CancellationToken.None));
        Assert.True(await scheduler.IsScheduledAsync("bookinfo", "reviews", CancellationToken.None));
    }

    [Fact]
    public async Task Rebuild_SpreadsTheFirstTicksEvenlyOverOneInterval()
    {
        var scheduler = _services.GetRequiredService<RolloutScheduler>();
        await _quartz.Standby();
        var store = new Rollouts([.. Enumerable.Range(0, 4).Select(i => new StoredRollout("bookinfo", $"reviews-{i}", Plan, [], new RolloutStatus { Phase = RolloutPhase.Progressing }, 1, "1"))]);

        Assert.Equal(4, await scheduler.RebuildAsync(await store.ListAsync(CancellationToken.None), CancellationToken.None));

        var firstTicks = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            var trigger = await _quartz.GetTrigger(new TriggerKey($"reviews-{i}", "bookinfo"));
            firstTicks.Add(trigger!.StartTimeUtc - _clock.GetUtcNow());
        }

        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(45)], firstTicks);
    }

    /// <summary>A store of several rollouts, for the scheduler to rebuild from.</summary>
    private sealed class Rollouts(IReadOnlyList<StoredRollout> rollouts) : IRolloutStore
    {
        public Task<IReadOnlyList<StoredRollout>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(rollouts);

        public Task<StoredRollout?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken) =>
            Task.FromResult(rollouts.FirstOrDefault(r => r.Namespace == namespaceName && r.Name == name));

        public Task<RolloutStatus> UpdateStatusAsync(string namespaceName, string name, Func<RolloutStatus, RolloutStatus> change, CancellationToken cancellationToken) =>
            throw new NotSupportedException("rebuilding reads only");
    }
}
