namespace CanaryPilot.Core.Analysis;

/// <summary>The judgement of one metric, or of a whole analysis.</summary>
public enum Verdict
{
    /// <summary>The data is there and every rule holds.</summary>
    Pass,

    /// <summary>The data is there and a rule is broken.</summary>
    Fail,

    /// <summary>Too little data to judge: no traffic, an empty result, NaN or infinity, several series.</summary>
    Inconclusive,

    /// <summary>The metrics provider failed; nothing is known.</summary>
    Error,
}
