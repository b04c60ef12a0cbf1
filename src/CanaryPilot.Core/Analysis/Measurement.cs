namespace CanaryPilot.Core.Analysis;

/// <summary>What a metrics provider saw for one query: the samples it returned, or why it returned none.</summary>
public sealed record Measurement
{
    /// <summary>The query as sent.</summary>
    public required string Query { get; init; }

    /// <summary>One per series the query returned; empty for an empty result or a failure.</summary>
    public IReadOnlyList<Sample> Samples { get; init; } = [];

    /// <summary>Why the provider could not answer; null when it did.</summary>
    public ProviderError? Error { get; init; }

    /// <summary>Warnings the provider attached to an answer (a partial result, a dropped series).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public static Measurement Of(string query, IReadOnlyList<Sample> samples, IReadOnlyList<string>? warnings = null) =>
        new() { Query = query, Samples = samples, Warnings = warnings ?? [] };

    public static Measurement Failed(string query, ProviderErrorKind kind, string message) =>
        new() { Query = query, Error = new ProviderError(kind, message) };
}
