using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Cli;

/// <summary>The exit codes every command shares; CI scripts rely on them.</summary>
public static class ExitCodes
{
    /// <summary>Valid, clean, promoted.</summary>
    public const int Success = 0;

    /// <summary>The check or rollout ran and failed: analysis failed, rolled back, aborted.</summary>
    public const int Failed = 1;

    /// <summary>The input is invalid or unreadable, or the command line is wrong. Nothing was applied.</summary>
    public const int InvalidInput = 2;

    /// <summary>Something outside the input failed: the cluster, Prometheus, or CanaryPilot itself.</summary>
    public const int InfrastructureFailure = 3;

    /// <summary>The rollout waits for a person's approval.</summary>
    public const int AwaitingApproval = 4;

    /// <summary>Stopped by SIGINT or SIGTERM at a safe point; running the same command again resumes.</summary>
    public const int Interrupted = 130;

    /// <summary>What an analysis (or a replay of one) comes to: pass 0, error (the provider failed) 3, fail or inconclusive 1.</summary>
    public static int Of(Verdict verdict) => verdict switch
    {
        Verdict.Pass => Success,
        Verdict.Error => InfrastructureFailure,
        _ => Failed,
    };
}
