using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus;

/// <summary>
/// An answer of <c>/api/v1/query</c> or <c>/api/v1/query_range</c>: the series it returned, or why there
/// are none. A failure is data here, as it is for the metrics-provider port.
/// </summary>
public sealed record QueryResult
{
    public ResultType Type { get; init; }

    /// <summary>A vector has one point per series; a matrix several; a scalar is one series without labels.</summary>
    public IReadOnlyList<Series> Series { get; init; } = [];

    /// <summary>Warnings the server attached (partial results from a federated store, for instance).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Why there is no answer; null on success.</summary>
    public ProviderError? Error { get; init; }

    /// <summary>The server's <c>errorType</c> (<c>bad_data</c>, <c>execution</c>, <c>timeout</c>, …) when it refused the query.</summary>
    public string? ErrorType { get; init; }

    public static QueryResult Failed(ProviderErrorKind kind, string message, string? errorType = null) =>
        new() { Error = new ProviderError(kind, message), ErrorType = errorType };
}

/// <summary>The <c>resultType</c> of an answer.</summary>
public enum ResultType
{
    Vector,
    Scalar,
    Matrix,

    /// <summary>Prometheus's <c>string</c> result, which no metric can use.</summary>
    Text,
}

/// <summary>One series: its labels and its points in time order.</summary>
public sealed record Series(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<Point> Points);

/// <summary>A value at an instant; NaN and ±Inf as Prometheus wrote them.</summary>
public readonly record struct Point(DateTimeOffset Time, double Value);
