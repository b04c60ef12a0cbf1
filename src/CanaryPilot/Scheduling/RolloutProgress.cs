using System.Threading.Channels;
using CanaryPilot.Core.Rollouts;

namespace CanaryPilot.Scheduling;

/// <summary>What the rollout jobs did, for whoever waits on them (the <c>run</c> command's live view).</summary>
public sealed class RolloutProgress
{
    private readonly Channel<RolloutReport> _reports = Channel.CreateUnbounded<RolloutReport>();

    public ChannelReader<RolloutReport> Reports => _reports.Reader;

    public void Report(ReconcileResult result) => _reports.Writer.TryWrite(new RolloutReport(result.Namespace, result.Name, result, null));

    public void ReportFailure(string namespaceName, string name, Exception failure) =>
        _reports.Writer.TryWrite(new RolloutReport(namespaceName, name, null, failure));
}

/// <summary>One job run: its result, or the failure that stopped it.</summary>
public sealed record RolloutReport(string Namespace, string Name, ReconcileResult? Result, Exception? Failure);
