using CanaryPilot.Cli;

namespace CanaryPilot.Commands;

/// <summary>What <c>canarypilot run</c> was asked to do.</summary>
internal sealed record RunRequest(
    IReadOnlyList<string> Files,
    string? Kubeconfig,
    string? Context,
    string? Prometheus,
    OutputFormat Format,
    bool UntilApproval);
