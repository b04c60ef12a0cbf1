using CanaryPilot.Core.Rollouts;
using CanaryPilot.Sandbox.Mesh;
using CanaryPilot.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace CanaryPilot.Tests.EndToEnd;

/// <summary>
/// The sequential judge on real data: the simulated mesh's request counters and Istio's duration
/// buckets, scraped by a real Prometheus, judged by the engine as <c>serve</c> and <c>run</c> wire it,
/// with the continuous guard on.
/// </summary>
public sealed class SequentialJudgeEndToEndTests
{
    /// <summary>Stable's latency: a median of 50 ms, 7% of requests above 100 ms.</summary>
    private static readonly WorkloadBehavior Stable = new() { LatencyMedianMs = 50, LatencyP99Ms = 150 };

    private static string Plan(string interval, string metric) => $$"""
        apiVersion: canarypilot.io/v1alpha1
        kind: RolloutPlan
        metadata: {name: reviews, namespace: bookinfo}
        spec:
          service:
            name: reviews
            virtualServices: [{name: reviews}]
            stable: {host: reviews, subset: v1, workload: reviews-v1, version: v1}
            canary: {host: reviews, subset: v2, workload: reviews-v2, version: v2}
          stages: [{weight: 50}, {weight: 100}]
          analysis:
            interval: {{interval}}
            judge: sequential
            confidence: 0.95
            missingData: {minRequestVolume: 10, maxDuration: 3m}
            prometheus: {scrapeInterval: 1s}
            metrics:
              - {{metric}}
        """;

    /// <summary>
    /// Requests slower than 100 ms: at most 10% more of them than stable's to roll back, within 25% to pass. A
    /// canary 10% slower has about 45% more: far enough outside the margin that it is not passed first.
    /// </summary>
    private const string SlowRequests = """{name: slow-requests, template: istio-latency-above, args: {bound: "100"}, compareToStable: {maxIncrease: 10, promoteWithin: 25}}""";

    /// <summary>Schedules the rollout every <paramref name="interval"/>, and the guard, and follows the reports to the rollout's end.</summary>
    private static async Task<RolloutStatus> RunToTheEndAsync(ServiceProvider engine, TimeSpan interval)
    {
        await (await engine.GetRequiredService<ISchedulerFactory>().GetScheduler()).Start();
        var scheduler = engine.GetRequiredService<RolloutScheduler>();
        await scheduler.ScheduleAsync("bookinfo", "reviews", interval, CancellationToken.None);
        await scheduler.ScheduleGuardAsync(CancellationToken.None);
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await foreach (var report in engine.GetRequiredService<RolloutProgress>().Reports.ReadAllAsync(deadline.Token))
        {
            Assert.Null(report.Failure);
            if (report.Result!.Status is { } status && RolloutMachine.IsTerminal(status.Phase))
            {
                return status;
            }
        }

        throw new InvalidOperationException("the progress channel ended");
    }

    [Fact]
    public async Task ACanaryWhoseMedianLatencyIs10PercentAboveStables_IsRolledBack_WithTheBoundsInTheVerdict()
    {
        await using var bed = await RolloutTestBed.StartAsync(Stable with { LatencyMedianMs = 55, LatencyP99Ms = 165 }, requestsPerSecond: 400, stable: Stable);
        await bed.CreatePlanAsync(Plan("2s", SlowRequests));
        await using var engine = bed.StartEngine();

        var status = await RunToTheEndAsync(engine, TimeSpan.FromSeconds(2));

        Assert.True((status.Phase, status.Cause) == (RolloutPhase.RolledBack, RollbackCause.AnalysisFailed), $"{status.Phase}: {status.Message}");
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        var slow = Assert.Single(status.Metrics);
        Assert.Equal("fail", slow.Verdict);
        var evidence = slow.Evidence!;
        // Confident that the canary has more than 10% more slow requests than stable: the truth is about 45% more.
        Assert.True(evidence.Lower > evidence.Tolerance, $"lower bound {evidence.Lower}, tolerance {evidence.Tolerance}");
        Assert.InRange(evidence.Ratio!.Value, 1.1, 2.2);
        Assert.Equal(0.95, evidence.Confidence);
        Assert.True(evidence.CanaryRequests > 0 && evidence.StableRequests > 0);
    }

    [Fact]
    public async Task AHealthyCanary_IsPromoted_OnceTheBoundsShowItIsNotWorse()
    {
        await using var bed = await RolloutTestBed.StartAsync(Stable, requestsPerSecond: 400, stable: Stable);
        await bed.CreatePlanAsync(Plan("2s", SlowRequests));
        await using var engine = bed.StartEngine();

        var status = await RunToTheEndAsync(engine, TimeSpan.FromSeconds(2));

        Assert.True(status.Phase == RolloutPhase.Succeeded, $"{status.Phase}: {status.Message}");
        Assert.Equal(100, await bed.LiveCanaryWeightAsync());
        // The 50% stage passed on the bounds: its counts were carried into the test of the stages after it.
        var counted = Assert.Single(status.Counted);
        Assert.Equal((0, "slow-requests"), (counted.Stage, counted.Metric));
        Assert.True(counted.CanaryRequests > 100 && counted.StableRequests > 100);
    }

    [Fact]
    public async Task BetweenTicks_TheContinuousGuard_RollsBackAFailingCanary()
    {
        // Ticks ten minutes apart: after the first, which starts the rollout, only the guard looks before the deadline.
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy with { ErrorRate = 0.3 });
        await bed.CreatePlanAsync(Plan("10m", "{name: errors, template: istio-error-rate-5xx, compareToStable: {maxIncrease: 20}}"));
        await using var engine = bed.StartEngine();

        var status = await RunToTheEndAsync(engine, TimeSpan.FromMinutes(10));

        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed), (status.Phase, status.Cause));
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        var errors = Assert.Single(status.Metrics);
        Assert.True(errors.Evidence!.Lower > errors.Evidence.Tolerance);
        Assert.Null(status.LastAnalysis);
    }

    [Fact]
    public async Task BetweenTicks_TheContinuousGuard_RollsBackACanaryOutsideItsCriticalRange()
    {
        // A metric judged by thresholds alone: the guard checks its critical range on the canary's counts over its window.
        await using var bed = await RolloutTestBed.StartAsync(RolloutTestBed.Healthy with { ErrorRate = 0.3 });
        await bed.CreatePlanAsync(Plan("10m", "{name: success, template: istio-success-rate, window: 30s, thresholds: {min: 99}, critical: {min: 90}}"));
        await using var engine = bed.StartEngine();

        var status = await RunToTheEndAsync(engine, TimeSpan.FromMinutes(10));

        Assert.True((status.Phase, status.Cause) == (RolloutPhase.RolledBack, RollbackCause.CriticalThreshold), $"{status.Phase}: {status.Message}");
        Assert.Equal(0, await bed.LiveCanaryWeightAsync());
        var success = Assert.Single(status.Metrics);
        Assert.InRange(success.Value!.Value, 50, 90);
        Assert.Null(status.LastAnalysis);
    }
}
