using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Prometheus;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot backtest -f PLAN --from T [--to T] [--prometheus URL] [--kubeconfig K] [--output text|json]</c>:
/// replays the plan's analysis over a past range of Prometheus data and prints, check by check, what the
/// plan would have decided and why. Exit codes as <c>analyze</c>: 0 it would have promoted (or the range
/// ended while it passed), 1 it would have rolled back or held, 2 invalid input, 3 Prometheus failed.
/// </summary>
internal static class BacktestCommand
{
    /// <summary>The most checks one replay makes: a year of hourly checks, a week at one a minute.</summary>
    public const int MaxChecks = 10_000;

    public static Command Create(CliConsole console)
    {
        var files = CommonOptions.Files("The RolloutPlan, and any AnalysisTemplates it names that are not shipped (files or directories). Repeatable.");
        var from = new Option<string>("--from") { Description = $"Where the replay starts: the rollout begins here, the first check is one analysis interval later. {PointInTime.Hint}.", HelpName = "TIME", Required = true };
        var to = new Option<string>("--to") { Description = "Where the replay ends: the last check is at or before it. Same forms as --from; now when not given.", HelpName = "TIME", DefaultValueFactory = _ => "now" };
        var prometheus = CommonOptions.Prometheus();
        var kubeconfig = CommonOptions.SecretsKubeconfig();
        var output = CommonOptions.Output();
        var command = new Command("backtest", "Replay a plan's analysis over a past range of Prometheus data: check by check, what the plan would have decided and why. Exit 0 promoted or passing, 1 rolled back or holding, 2 invalid input, 3 Prometheus failed.")
        {
            files, from, to, prometheus, kubeconfig, output,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new BacktestRequest(result.GetValue(files)!, result.GetValue(from)!, result.GetValue(to)!, result.GetValue(prometheus), result.GetValue(kubeconfig), result.GetValue(output) == "json" ? OutputFormat.Json : OutputFormat.Text),
            console,
            TimeProvider.System,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(BacktestRequest request, CliConsole console, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (PointInTime.Parse(request.From, now) is not { } from)
        {
            return PlanPrometheus.Refuse(console, $"--from \"{request.From}\" is not a time: {PointInTime.Hint}");
        }

        if (PointInTime.Parse(request.To, now) is not { } to)
        {
            return PlanPrometheus.Refuse(console, $"--to \"{request.To}\" is not a time: {PointInTime.Hint}");
        }

        if (to <= from)
        {
            return PlanPrometheus.Refuse(console, $"--to {AnalysisPrinter.Time(to)} is not after --from {AnalysisPrinter.Time(from)}");
        }

        if (to > now)
        {
            return PlanPrometheus.Refuse(console, $"--to {AnalysisPrinter.Time(to)} is in the future; a backtest replays the past (the latest --to is now)");
        }

        var templates = TemplateCatalog.BuiltIn();
        var (plan, invalid) = PlanPrometheus.LoadOne(request.Files, templates, "backtest replays one RolloutPlan", console);
        if (plan is null)
        {
            return invalid;
        }

        // As live, no check is later than one scrape before now: the newest scrape may not have landed.
        var interval = plan.Spec.Analysis.Interval;
        var last = Min(to, now - plan.Spec.Analysis.Prometheus.ScrapeInterval);
        var checks = Math.Max(0, (last - from).Ticks / interval.Ticks);
        if (checks < 1)
        {
            return PlanPrometheus.Refuse(console, $"--from {AnalysisPrinter.Time(from)} to --to {AnalysisPrinter.Time(to)} holds no check: the plan checks every {Duration.Format(interval)} (spec.analysis.interval), the first one interval after --from, the last one scrape before now at the latest");
        }

        if (checks > MaxChecks)
        {
            return PlanPrometheus.Refuse(console, $"--from {AnalysisPrinter.Time(from)} to --to {AnalysisPrinter.Time(to)} is {checks:N0} checks at the plan's interval of {Duration.Format(interval)}; a backtest makes at most {MaxChecks:N0}: shorten the range");
        }

        var (connection, unconnected) = await PlanPrometheus.ConnectAsync(plan, request.Prometheus, request.Kubeconfig, console, time, cancellationToken);
        if (connection is null)
        {
            return unconnected;
        }

        using var client = connection.Client;
        var provider = new RangeMetricsProvider(client, from + interval, from + (checks * interval), interval);
        var replay = await new RolloutReplay(new Analyzer(provider, templates)).RunAsync(plan, from, (int)checks, cancellationToken);
        var range = new BacktestPrinter.Range(from, to, connection.Address);
        if (request.Format == OutputFormat.Json)
        {
            BacktestPrinter.WriteJson(console.Out, replay, plan, range);
        }
        else
        {
            BacktestPrinter.WriteText(console.Out, replay, plan, range);
        }

        return ExitCodes.Of(replay.Verdict);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

/// <summary>What <c>backtest</c> was asked to do; the times as given, parsed when it runs.</summary>
internal sealed record BacktestRequest(IReadOnlyList<string> Files, string From, string To, string? Prometheus, string? Kubeconfig, OutputFormat Format);
