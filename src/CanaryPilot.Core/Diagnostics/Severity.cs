namespace CanaryPilot.Core.Diagnostics;

/// <summary>How serious a finding is. Only errors make a command fail.</summary>
public enum Severity
{
    Error,
    Warning,
    Info,
}
