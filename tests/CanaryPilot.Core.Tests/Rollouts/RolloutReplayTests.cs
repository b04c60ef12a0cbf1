using System.Collections.Concurrent;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Tests.Analysis;
using CanaryPilot.Testing.Engine;

namespace CanaryPilot.Core.Tests.Rollouts;

/// <summary>
/// The replay of a plan over past data: the state machine driven check by check from the range's start,
/// what it decides and why, assumptions said out loud, and the sequential judge seeing each stage whole.
/// </summary>
public sealed class RolloutReplayTests
{
    private static readonly DateTimeOffset From = new(2026, 5, 1, 10, 0, 0, TimeSpan.Zero);

    private const string Sequential = AnalyzerTests.Service + """
          stages: [{weight: 10}, {weight: 50}]
          promotion: {afterLastStage: true}
          analysis:
            interval: 1m
            judge: sequential
            missingData: {minRequestVolume: 0, maxDuration: 1h}
            metrics:
              - name: errors
                template: istio-error-rate-5xx
                compareToStable: {maxIncrease: 20, promoteWithin: 100}
        """;

    /// <summary>Answers by the instant and the query, and records every call.</summary>
    private sealed class PastData(Func<string, DateTimeOffset, double?> value) : IMetricsProvider
    {
        public ConcurrentBag<(string Query, DateTimeOffset At)> Calls { get; } = [];

        public Task<Measurement> MeasureAsync(string query, DateTimeOffset at, CancellationToken cancellationToken)
        {
            Calls.Add((query, at));
            return Task.FromResult(value(query, at) is { } v
                ? Measurement.Of(query, [Sample.Scalar(v)])
                : Measurement.Failed(query, ProviderErrorKind.Unreachable, "connection refused"));
        }
    }

    /// <summary>The success rate the function gives at each instant, with enough requests to judge.</summary>
    private static PastData SuccessRate(Func<DateTimeOffset, double> rate) =>
        new((query, at) => query.StartsWith("100 * ", StringComparison.Ordinal) ? rate(at) : 1_000);

    private static Task<Replay> ReplayAsync(RolloutPlan plan, IMetricsProvider data, int checks = 10) =>
        new RolloutReplay(new Analyzer(data, TemplateCatalog.BuiltIn())).RunAsync(plan, From, checks, CancellationToken.None);

    [Fact]
    public async Task HealthyChecks_AdvanceThroughTheStagesAndPromote_ThenTheReplayStops()
    {
        var data = SuccessRate(_ => 99.5);

        var replay = await ReplayAsync(TestPlans.Reviews(stages: "[{weight: 10}, {weight: 100}]"), data);

        Assert.Equal(
            [(0, From, ReplayDecision.Start, 0), (1, From.AddMinutes(1), ReplayDecision.Advance, 1), (2, From.AddMinutes(2), ReplayDecision.Promote, 1)],
            replay.Steps.Select(s => (s.Number, s.At, s.Decision, s.After.Stage!.Value)));
        Assert.Equal((RolloutPhase.Succeeded, Verdict.Pass), (replay.Final.Phase, replay.Verdict));
        Assert.Equal([From.AddMinutes(1), From.AddMinutes(2)], data.Calls.Select(c => c.At).Distinct().Order());
    }

    [Fact]
    public async Task FailingChecks_HoldWithinTheFailureLimit_ThenRollBack()
    {
        var replay = await ReplayAsync(TestPlans.Reviews(stages: "[{weight: 10}, {weight: 100}]"), SuccessRate(at => at < From.AddMinutes(2) ? 99.5 : 97));

        Assert.Equal(
            [ReplayDecision.Start, ReplayDecision.Advance, ReplayDecision.Hold, ReplayDecision.RollBack],
            replay.Steps.Select(s => s.Decision));
        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed, Verdict.Fail), (replay.Final.Phase, replay.Final.Cause, replay.Verdict));
        Assert.Contains("analysis failed 2 times in a row, more than the 1 allowed", replay.Final.Message, StringComparison.Ordinal);
        Assert.Equal(100, replay.Steps[^1].Before.CanaryWeight);
    }

    [Fact]
    public async Task ApprovalsAndGates_AreTakenAsGiven_AndEachCheckSaysSo()
    {
        var plan = TestPlans.Reviews(
            stages: "[{weight: 10, approval: required}, {weight: 100}]",
            extra: """
                  promotion: {approval: required}
                  gates:
                    - {name: load-test, type: preRollout, url: "http://127.0.0.1:9/pre"}
                    - {name: release-board, type: confirmPromotion, url: "http://127.0.0.1:9/board"}
                """);

        var replay = await ReplayAsync(plan, SuccessRate(_ => 99.5));

        Assert.Equal(RolloutPhase.Succeeded, replay.Final.Phase);
        Assert.Equal(["would ask the pre-rollout gates (load-test): taken as open"], replay.Start.Assumed);
        Assert.Equal(["would wait for approval (stage 10% passed and waits for approval): taken as approved"], replay.Steps[1].Assumed);
        Assert.Equal(
            ["would wait for approval (every stage passed; the promotion waits for approval): taken as approved", "would ask the confirm-promotion gates (release-board): taken as open"],
            replay.Steps[2].Assumed);
    }

    [Theory]
    [InlineData(99.5, "[{weight: 10, iterations: 5}, {weight: 100}]", Verdict.Pass)]   // still passing when the range ends
    [InlineData(97.0, "[{weight: 10}, {weight: 100}]", Verdict.Fail)]                  // failing, within the limit, when it ends
    [InlineData(double.NaN, "[{weight: 10}, {weight: 100}]", Verdict.Inconclusive)]    // no evidence either way
    public async Task ARangeThatEndsMidRollout_IsJudgedByItsLastCheck(double rate, string stages, Verdict expected)
    {
        var replay = await ReplayAsync(TestPlans.Reviews(stages: stages), SuccessRate(_ => rate), checks: 1);

        Assert.Equal((RolloutPhase.Progressing, expected), (replay.Final.Phase, replay.Verdict));
    }

    [Fact]
    public async Task PrometheusDown_EveryCheckIsAnError_TheRolloutHoldsUntilTheMissingDataLimit_AndTheVerdictIsError()
    {
        var replay = await ReplayAsync(TestPlans.Reviews(stages: "[{weight: 10}, {weight: 100}]"), new PastData((_, _) => null));

        Assert.All(replay.Checks, c => Assert.Equal(Verdict.Error, c.Analysis!.Verdict));
        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.NoEvidence, Verdict.Error), (replay.Final.Phase, replay.Final.Cause, replay.Verdict));
    }

    /// <summary>The sequential judge's counts: <paramref name="counts"/> of the instant's minute from the start; 0.5% errors for the value.</summary>
    private static PastData Counts(Func<double, IntervalCounts> counts) => new((query, at) =>
    {
        var c = counts((at - From) / TimeSpan.FromMinutes(1));
        var canary = query.Contains("destination_workload=\"reviews-v2\"", StringComparison.Ordinal);
        var errors = query.Contains("response_code=~\"5..\"", StringComparison.Ordinal);
        return (canary, errors) switch
        {
            _ when !query.StartsWith("sum(increase(", StringComparison.Ordinal) => 0.005,
            (true, true) => c.CanaryEvents,
            (true, false) => c.CanaryRequests,
            (false, true) => c.StableEvents,
            (false, false) => c.StableRequests,
        };
    });

    [Fact]
    public async Task Sequential_CountsOneIntervalPerQuery_AndJudgesTheStageSoFarWhole_AsLive()
    {
        // In the interval before check k the canary serves 100·k requests with k errors, stable 2,000 with 10:
        // a share that changes from check to check, so judging the intervals one by one would not be the
        // test the live controller makes on the stage's sums.
        var plan = AnalyzerTests.Valid(Sequential);
        var data = Counts(k => new IntervalCounts(k, 100 * k, 10, 2_000));

        var replay = await ReplayAsync(plan, data, checks: 3);

        Assert.All(data.Calls.Where(c => c.Query.StartsWith("sum(increase(", StringComparison.Ordinal)), c => Assert.EndsWith("[1m]))", c.Query, StringComparison.Ordinal));
        var third = replay.Steps[3];
        Assert.Equal((0, 0), (third.Before.Stage, third.After.Stage));
        var evidence = third.Analysis!.Metrics[0].Evidence!;
        Assert.Equal(new IntervalCounts(1 + 2 + 3, 100 + 200 + 300, 30, 6_000), evidence.Counts);

        // What the live controller judges at that check: the counts since the stage began, in one piece.
        var live = await new Analyzer(Counts(_ => evidence.Counts), TemplateCatalog.BuiltIn()).AnalyzeAsync(plan, third.At, CancellationToken.None, stageStartedAt: From);
        Assert.Equal((live.Metrics[0].Evidence, live.Metrics[0].Reason), (evidence, third.Analysis.Metrics[0].Reason));
    }

    [Fact]
    public async Task Sequential_AStageLeftCarriesItsCountsIntoTheNext_AndAFailRollsBackAtOnce()
    {
        // Per interval: the canary 4,000 requests, stable 4,000, both 0.5% errors — until minute 3 (the first stage passes by then), after which the canary answers 10% with 5xx.
        var replay = await ReplayAsync(AnalyzerTests.Valid(Sequential), Counts(k => new IntervalCounts(k > 3 ? 400 : 20, 4_000, 20, 4_000)), checks: 60);

        var advanced = replay.Checks.First(c => c.Decision == ReplayDecision.Advance);
        var stage = advanced.Analysis!.Metrics[0].Evidence!.Counts;
        Assert.Equal(
            [new CountedStage { Metric = "errors", Stage = 0, CanaryEvents = stage.CanaryEvents, CanaryRequests = stage.CanaryRequests, StableEvents = stage.StableEvents, StableRequests = stage.StableRequests }],
            advanced.After.Counted);
        Assert.Equal(advanced.Number * 4_000.0, stage.CanaryRequests);
        var next = replay.Steps[advanced.Number + 1].Analysis!.Metrics[0];
        Assert.Equal(4_000.0, next.Evidence!.Counts.CanaryRequests);
        Assert.Contains("over 2 stages", next.Reason, StringComparison.Ordinal);
        Assert.Equal((RolloutPhase.RolledBack, RollbackCause.AnalysisFailed), (replay.Final.Phase, replay.Final.Cause));
        Assert.Contains("worse than stable beyond the tolerance", replay.Final.Message, StringComparison.Ordinal);
    }
}
