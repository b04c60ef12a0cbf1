using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace CanaryPilot.Hosting;

/// <summary>Serilog, configured only here: readable lines for the CLI, compact JSON for the service.</summary>
public static class Logging
{
    /// <summary>The CLI: warnings and worse on standard error, so they never mix with a command's output.</summary>
    public static void ForCli(ILoggingBuilder builder, LogEventLevel minimum = LogEventLevel.Warning) =>
        builder.ClearProviders().AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .Enrich.FromLogContext()
            .WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss} {Level:u3} {Message:lj}{NewLine}",
                standardErrorFromLevel: LogEventLevel.Verbose)
            .CreateLogger(), dispose: true);

    /// <summary>The service: one compact JSON object per event on standard output, for log collectors.</summary>
    public static void ForService(ILoggingBuilder builder, LogEventLevel minimum = LogEventLevel.Information) =>
        builder.ClearProviders().AddSerilog(new LoggerConfiguration()
            .MinimumLevel.Is(minimum)
            .MinimumLevel.Override("Quartz", LogEventLevel.Warning)
            // Five lines per API request drown the rollout decisions; ASP.NET Core speaks up only for problems.
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .Enrich.FromLogContext()
            .WriteTo.Console(new CompactJsonFormatter())
            .CreateLogger(), dispose: true);
}
