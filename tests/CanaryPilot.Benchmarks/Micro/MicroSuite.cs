using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace CanaryPilot.Benchmarks.Micro;

/// <summary>BenchmarkDotNet over the hot paths, in process, summarised as one table.</summary>
internal static class MicroSuite
{
    public static string Run()
    {
        var config = ManualConfig.CreateEmpty()
            .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(15))
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .AddLogger(NullLogger.Instance)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .WithOptions(ConfigOptions.DisableLogFile);
        var summary = BenchmarkRunner.Run<HotPaths>(config);
        var table = new Table("operation", "mean", "error (99.9%)", "median", "min – max", "allocated per call");
        foreach (var report in summary.Reports)
        {
            var stats = report.ResultStatistics;
            if (stats is null)
            {
                table.Add(report.BenchmarkCase.Descriptor.WorkloadMethod.Name, "failed", "", "", "", "");
                continue;
            }

            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            table.Add(
                report.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                Time(stats.Mean),
                Time(stats.ConfidenceInterval.Margin),
                Time(stats.Median),
                $"{Time(stats.Min)} – {Time(stats.Max)}",
                allocated < 1024 ? $"{allocated} B" : $"{allocated / 1024.0:0.0} KiB");
        }

        return $"""
            BenchmarkDotNet {typeof(BenchmarkRunner).Assembly.GetName().Version?.ToString(3)}, in process, 3 warm-up and 15 measured iterations
            each; the plan is `deploy/examples/bookinfo/rolloutplan-auto.yaml` (4 stages, 2 metrics).

            {table.ToMarkdown()}

            - **ParseAndValidatePlan**: YAML to a validated plan with every diagnostic check, as `validate`,
              `run` and the controller do on each change of a plan.
            - **RenderQueries**: the plan's PromQL (canary, stable, request volume), as every analysis does.
            - **JudgeMetric**: one metric's verdict against its thresholds and the stable's value.
            """;
    }

    private static string Time(double nanoseconds) => nanoseconds switch
    {
        < 1_000 => $"{nanoseconds.ToString("0", CultureInfo.InvariantCulture)} ns",
        < 1_000_000 => $"{(nanoseconds / 1_000).ToString("0.0", CultureInfo.InvariantCulture)} µs",
        _ => $"{(nanoseconds / 1_000_000).ToString("0.00", CultureInfo.InvariantCulture)} ms",
    };
}
