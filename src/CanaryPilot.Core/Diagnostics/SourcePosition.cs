namespace CanaryPilot.Core.Diagnostics;

/// <summary>A 1-based line and column in an input file.</summary>
public readonly record struct SourcePosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
