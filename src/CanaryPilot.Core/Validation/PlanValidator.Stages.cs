using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Validation;

public sealed partial class PlanValidator
{
    private void CheckStages()
    {
        var spec = plan.Spec;
        if (spec.StepWeights is { } steps)
        {
            if (spec.Stages.Count > 0)
            {
                Error("spec.stepWeights", "set either stages or stepWeights, not both");
                return;
            }

            CheckStepWeights(steps);
        }
        else if (spec.Stages.Count == 0)
        {
            Error("spec.stages", "no stages: list the stages, or set stepWeights");
            return;
        }

        var stages = spec.EffectiveStages();
        var fromList = spec.StepWeights is null;
        var previousWeight = 0;
        var previousPath = "";
        var liveTraffic = false;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var path = fromList ? $"spec.stages[{i}]" : "spec.stepWeights";
            if (fromList)
            {
                CheckStageFields(stage, path);
                CheckLength(stage.MinDuration, stage.Iterations, path);
                CheckAdvance(stage, path, last: i == stages.Count - 1);
            }

            if (stage.Kind is StageKind.Mirror or StageKind.ABTest && liveTraffic)
            {
                Error($"{path}.kind", $"a {KindName(stage.Kind)} stage must come before the stages that send the canary a share of all traffic");
            }

            if (stage.Kind == StageKind.BlueGreen && i < stages.Count - 1)
            {
                Error($"{path}.kind", "a blueGreen stage switches all traffic to the canary, so it must be the last stage");
                continue;
            }

            if (stage.Kind is StageKind.Canary or StageKind.BlueGreen && stage.CanaryWeight > 0)
            {
                if (stage.CanaryWeight <= previousWeight && stage.Kind == StageKind.Canary && fromList)
                {
                    Error($"{path}.weight", $"weight {stage.CanaryWeight} does not rise above {previousWeight} ({previousPath}); weights must increase strictly");
                }

                liveTraffic = true;
                previousWeight = stage.CanaryWeight;
                previousPath = $"{path}.weight";
            }
        }

        if (stages.Count > 0 && stages[^1].CanaryWeight < 100 && !spec.Promotion.AfterLastStage)
        {
            var last = fromList ? $"spec.stages[{stages.Count - 1}]" : "spec.stepWeights.max";
            Error(last, $"the stages end with the canary at {stages[^1].CanaryWeight}% and never reach 100%; add a stage with weight 100, or set spec.promotion.afterLastStage: true to promote once the last stage passes");
        }
    }

    private void CheckAdvance(Stage stage, string path, bool last)
    {
        if (stage.Advance != StageAdvance.UnlessWorse)
        {
            return;
        }

        if (last)
        {
            Error($"{path}.advance", "the last stage promotes the canary, and promotion waits for the evidence; use advance: unlessWorse on earlier stages only");
        }
        else if (!plan.Spec.Analysis.Metrics.Any(m => MetricQueries.IsSequential(plan.Spec.Analysis, m)))
        {
            Error($"{path}.advance", "advance: unlessWorse lets a stage move on while the sequential judge is undecided, and no metric uses judge: sequential; remove it, or judge a metric sequentially");
        }
    }

    private void CheckStageFields(Stage stage, string path)
    {
        var kind = KindName(stage.Kind);
        if (stage.Kind == StageKind.Canary)
        {
            if (stage.Weight is not { } weight)
            {
                Error($"{path}.weight", "a canary stage needs a weight from 1 to 100");
            }
            else if (weight is < 1 or > 100)
            {
                Error($"{path}.weight", $"weight {weight} is outside 1-100");
            }
        }
        else if (stage.Weight is not null)
        {
            Error($"{path}.weight", stage.Kind == StageKind.BlueGreen
                ? "a blueGreen stage always sends 100% to the canary; remove weight"
                : $"a {kind} stage sends no live traffic to the canary; remove weight");
        }

        if (stage.Kind == StageKind.Mirror)
        {
            if (stage.MirrorPercentage is not { } percentage)
            {
                Error($"{path}.mirrorPercentage", "a mirror stage needs mirrorPercentage, the share of requests copied to the canary");
            }
            else if (percentage is <= 0 or > 100)
            {
                Error($"{path}.mirrorPercentage", $"{percentage} is outside (0, 100]");
            }
        }
        else if (stage.MirrorPercentage is not null)
        {
            Error($"{path}.mirrorPercentage", $"only mirror stages take mirrorPercentage; this is a {kind} stage");
        }

        if (stage.Kind == StageKind.ABTest)
        {
            CheckMatches(stage.Match, $"{path}.match");
        }
        else if (stage.Match.Count > 0)
        {
            Error($"{path}.match", $"only abTest stages take match; this is a {kind} stage");
        }
    }

    private void CheckMatches(IReadOnlyList<RequestMatch> matches, string path)
    {
        if (matches.Count == 0)
        {
            Error(path, "an abTest stage needs at least one match (headers or cookie)");
        }

        for (var i = 0; i < matches.Count; i++)
        {
            var match = matches[i];
            if (match.Headers.Count == 0 && match.Cookie is null)
            {
                Error($"{path}[{i}]", "a match needs headers or a cookie");
            }

            foreach (var (header, condition) in match.Headers)
            {
                var given = new[] { condition.Exact, condition.Prefix, condition.Regex }.Count(v => v is not null);
                if (given != 1)
                {
                    Error($"{path}[{i}].headers.{header}", "set exactly one of exact, prefix or regex");
                }

                if (header.Any(char.IsUpper))
                {
                    Error($"{path}[{i}].headers.{header}", $"header names must be lower case, as Istio compares them: \"{header.ToLowerInvariant()}\"");
                }
            }
        }
    }

    private void CheckStepWeights(StepWeights steps)
    {
        if (steps.Step is < 1 or > 100)
        {
            Error("spec.stepWeights.step", $"step {steps.Step} is outside 1-100");
        }

        if (steps.Max is < 1 or > 100)
        {
            Error("spec.stepWeights.max", $"max {steps.Max} is outside 1-100");
        }
        else if (steps.Step > steps.Max)
        {
            Error("spec.stepWeights.step", $"step {steps.Step} is larger than max {steps.Max}");
        }

        CheckLength(steps.MinDuration, steps.Iterations, "spec.stepWeights");
    }

    private void CheckLength(TimeSpan? minDuration, int? iterations, string path)
    {
        if (minDuration is not null && iterations is not null)
        {
            Error($"{path}.iterations", "set minDuration or iterations, not both");
        }

        if (minDuration < TimeSpan.Zero)
        {
            Error($"{path}.minDuration", "must not be negative");
        }

        if (iterations < 1)
        {
            Error($"{path}.iterations", $"{iterations} is not a number of analysis runs; use 1 or more");
        }
    }

    private static string KindName(StageKind kind) => Binding.ObjectBinder.EnumName(kind);
}
