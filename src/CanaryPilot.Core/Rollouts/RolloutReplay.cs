using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Analysis.Statistics;
using CanaryPilot.Core.Notifications;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Rollouts;

/// <summary>
/// What a plan would have decided over past data: the state machine, started at <c>from</c>, fed an
/// analysis at every check <c>from + k·interval</c> (k ≥ 1) until the rollout ends or the checks run out.
/// Nothing is asked of people or gates about the past: an approval is taken as given and every gate as
/// open, and the check says so.
/// </summary>
/// <remarks>
/// Each check counts the sequential judge's events over the interval before it, and carries the stage's
/// counts so far: the rendered queries are then the same at every check, so a provider can answer them
/// all from one range query each, and the judge still sees each stage whole, as it does live.
/// </remarks>
public sealed class RolloutReplay(Analyzer analyzer)
{
    /// <summary>The most plain ticks, gate answers and approvals one input may lead to before the machine must rest.</summary>
    private const int MaxSteps = 100;

    /// <summary>Replays <paramref name="plan"/> (valid) from <paramref name="from"/> over at most <paramref name="checks"/> checks.</summary>
    public async Task<Replay> RunAsync(RolloutPlan plan, DateTimeOffset from, int checks, CancellationToken cancellationToken)
    {
        var interval = plan.Spec.Analysis.Interval;
        var steps = new List<ReplayedCheck> { Settle(plan, 0, new RolloutStatus(), null, from) };
        var stageSoFar = new Dictionary<string, IntervalCounts>(StringComparer.Ordinal);
        for (var k = 1; k <= checks && !RolloutMachine.IsTerminal(steps[^1].After.Phase); k++)
        {
            var at = from + (k * interval);
            var status = steps[^1].After;
            var analysis = status.Phase == RolloutPhase.Progressing
                ? await analyzer.AnalyzeAsync(plan.JudgedAt(status.Stage), at, cancellationToken, StageEvidence.StableBaselines(status), at - interval, StageEvidence.Earlier(status), stageSoFar).ConfigureAwait(false)
                : null;
            var step = Settle(plan, k, status, analysis, at);
            steps.Add(step);
            stageSoFar = step.After.Stage == status.Stage ? StageSoFar(stageSoFar, analysis) : new(StringComparer.Ordinal);
        }

        return new Replay(steps, checks);
    }

    /// <summary>A check's counts include the stage's before it; a metric whose counts could not be read keeps those.</summary>
    private static Dictionary<string, IntervalCounts> StageSoFar(Dictionary<string, IntervalCounts> before, AnalysisResult? analysis)
    {
        var next = new Dictionary<string, IntervalCounts>(before, StringComparer.Ordinal);
        foreach (var metric in analysis?.Metrics ?? [])
        {
            if (metric.Evidence is { } evidence)
            {
                next[metric.Metric.Name] = evidence.Counts;
            }
        }

        return next;
    }

    /// <summary>Feeds the tick, then whatever the machine asks for next at the same instant, until it rests.</summary>
    private static ReplayedCheck Settle(RolloutPlan plan, int number, RolloutStatus before, AnalysisResult? analysis, DateTimeOffset at)
    {
        var assumed = new List<string>();
        var status = before;
        // The past traffic was split as it was then, not by the replayed plan's weights: its share is no mismatch.
        RolloutInput input = new Tick(analysis is null ? null : analysis with { Share = null });
        for (var step = 0; step < MaxSteps; step++)
        {
            var decision = RolloutMachine.Decide(plan, status, input, at);
            if (!decision.Accepted)
            {
                throw new InvalidOperationException($"the rollout machine refused the replay's {input.Name}: {decision.Rejection}");
            }

            status = decision.Status;
            if (decision.Actions.OfType<AskGates>().FirstOrDefault() is { } ask)
            {
                var gates = plan.Spec.Gates.Where(g => g.Type == ask.Type).ToList();
                assumed.Add($"would ask the {RolloutMachine.Describe(ask.Type)} gates ({string.Join(", ", gates.Select(g => g.Name))}): taken as open");
                input = new GatesAnswered(ask.Type, [.. gates.Select(g => new GateAnswer(g.Name, new GateOutcome(GateVerdict.Open, "taken as open by the replay"), g.OnTimeout))]);
            }
            else if (decision.Actions.OfType<CheckWorkloads>().FirstOrDefault() is { } check)
            {
                // The replay cannot know how many replicas were ready then.
                input = WorkloadsObserved.Unchecked(check);
            }
            else if (status.Phase == RolloutPhase.AwaitingApproval)
            {
                assumed.Add($"would wait for approval ({status.Message}): taken as approved");
                input = new ApproveCommand("the replay");
            }
            else if (decision.TickAgain)
            {
                input = new Tick();
            }
            else
            {
                return new ReplayedCheck(number, at, before, analysis, status, assumed);
            }
        }

        throw new InvalidOperationException($"the rollout machine did not rest within {MaxSteps} steps at {at:O}");
    }
}
