using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Hosting;

/// <summary>Logs every announcement with the rollout's vocabulary of properties.</summary>
internal sealed partial class LoggingAnnouncer(ILogger<LoggingAnnouncer> logger) : IAnnouncer
{
    public Task AnnounceAsync(RolloutPlan plan, RolloutStatus status, Announce announcement, CancellationToken cancellationToken)
    {
        var level = announcement.Severity switch { Severity.Error => LogLevel.Error, Severity.Warning => LogLevel.Warning, _ => LogLevel.Information };
        Log(logger, level, plan.Namespace, plan.Metadata.Name, announcement.Reason, status.StageName ?? "(none yet)", status.CanaryWeight, announcement.Message);
        return Task.CompletedTask;
    }

    [LoggerMessage(Message = "{Namespace}/{Rollout} {Reason} at stage {Stage} ({Weight}% canary): {Message}")]
    private static partial void Log(ILogger logger, LogLevel level, string @namespace, string rollout, string reason, string stage, int weight, string message);
}
