using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Documents;

/// <summary>Input that cannot be read any further; becomes one diagnostic.</summary>
internal sealed class InputException(SourcePosition? position, string message) : Exception(message)
{
    public SourcePosition? Position { get; } = position;
}
