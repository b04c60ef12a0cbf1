using CanaryPilot.Benchmarks.Faults;
using CanaryPilot.Demo;
using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Tests.Faults;

/// <summary>
/// A small slice of the fault harness (<c>scripts/faults</c>, docs/reliability.md) in the ordinary suite, on the
/// same bed and the same judgement: real <c>canarypilot</c> processes killed with SIGKILL, a leader killed under a
/// standby, Prometheus down mid-stage. The moments are the rollout's own (a stage entered), not the clock's;
/// the bed kills whatever it started, however a test ends.
/// </summary>
public sealed class FaultSliceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task RunKilledWhenAStageBegins_IsFinishedByTheNextStart_WithNothingLostOrRepeated(int stage)
    {
        await using var bed = await FaultBed.StartAsync(DemoScenario.Healthy);
        var plan = bed.WritePlan(FaultBed.Plan());
        var first = bed.StartRun(plan);
        Assert.True(await bed.StageEnteredAsync(stage, Patience), $"stage {stage} was not entered: {string.Join(" | ", bed.Last(5))}");
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();

        var again = bed.StartRun(plan);
        using var patience = new CancellationTokenSource(Patience);
        await again.WaitForExitAsync(patience.Token);

        Assert.Empty((await bed.JudgeAsync(promotes: true)).Wrong);
        Assert.Equal(0, again.ExitCode);
    }

    [Fact]
    public async Task LeaderKilledMidRollout_TheStandbyFinishesIt()
    {
        await using var bed = await FaultBed.StartAsync(DemoScenario.Healthy);
        await bed.CreateSecretAsync();
        var lease = TimeSpan.FromSeconds(2);
        var replicas = new Dictionary<string, System.Diagnostics.Process> { ["replica-a"] = bed.StartServe("replica-a", lease), ["replica-b"] = bed.StartServe("replica-b", lease) };
        await Eventually.TrueAsync(async () => await bed.LeaderAsync() is { Length: > 0 }, "a replica to take the Lease", Patience);
        await bed.CreatePlanAsync(FaultBed.Plan(inCluster: true));
        Assert.True(await bed.StageEnteredAsync(1, Patience), $"stage 1 was not entered: {string.Join(" | ", bed.Last(5))}");

        var leader = await bed.LeaderAsync();
        replicas[leader!].Kill(entireProcessTree: true);

        await Eventually.TrueAsync(async () => await bed.PhaseAsync() is "Succeeded" or "RolledBack", "the standby to finish the rollout", Patience);
        Assert.NotEqual(leader, await bed.LeaderAsync());
        Assert.Empty((await bed.JudgeAsync(promotes: true)).Wrong);
    }

    [Fact]
    public async Task PrometheusDownForThreeChecks_HoldsTheStage_ThenTheRolloutCarriesOn()
    {
        await using var bed = await FaultBed.StartAsync(DemoScenario.Healthy);
        await using var proxy = await PrometheusFaultProxy.StartAsync(bed.Environment.Prometheus.Address);
        var run = bed.StartRun(bed.WritePlan(FaultBed.Plan()), proxy.Address);
        Assert.True(await bed.StageEnteredAsync(1, Patience), $"stage 1 was not entered: {string.Join(" | ", bed.Last(5))}");

        proxy.Fault = PrometheusFault.Down;
        var down = DateTimeOffset.UtcNow;
        await Eventually.TrueAsync(() => bed.InconclusiveChecks >= 3, "three inconclusive checks", Patience);
        var back = DateTimeOffset.UtcNow;
        proxy.Fault = PrometheusFault.None;
        using var patience = new CancellationTokenSource(Patience);
        await run.WaitForExitAsync(patience.Token);

        // A check under way when Prometheus went down may still count; none taken while it was down.
        Assert.Empty(bed.StepsBetween(down + TimeSpan.FromSeconds(1.5), back));
        Assert.Empty((await bed.JudgeAsync(promotes: true)).Wrong);
        Assert.Equal(0, run.ExitCode);
    }
}
