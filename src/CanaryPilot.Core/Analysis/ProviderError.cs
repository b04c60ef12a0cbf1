namespace CanaryPilot.Core.Analysis;

/// <summary>Why a metrics provider returned no answer. The message never holds a secret.</summary>
public sealed record ProviderError(ProviderErrorKind Kind, string Message)
{
    public override string ToString() => Message;
}

/// <summary>The named ways a provider fails.</summary>
public enum ProviderErrorKind
{
    /// <summary>No connection could be made (refused, DNS, TLS).</summary>
    Unreachable,

    /// <summary>No answer within the time allowed.</summary>
    Timeout,

    /// <summary>An HTTP status without a usable answer (5xx after retries, 401, 404, …).</summary>
    HttpStatus,

    /// <summary>The server answered that the query is wrong or could not run (<c>status: error</c>).</summary>
    QueryRejected,

    /// <summary>The answer is not what the API promises: malformed JSON, an unknown result type, too large.</summary>
    InvalidResponse,

    /// <summary>Recent calls failed so often that calls are held back for a while (circuit open).</summary>
    CircuitOpen,
}
