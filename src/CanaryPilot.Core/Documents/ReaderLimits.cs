namespace CanaryPilot.Core.Documents;

/// <summary>
/// Bounds that keep hostile or mistaken input from hanging or exhausting the process.
/// </summary>
public sealed record ReaderLimits
{
    /// <summary>
    /// Largest file read, 4 MiB. A Kubernetes object is at most 1.5 MiB (etcd's request limit),
    /// so this leaves room for a file of a few of them and refuses logs or archives passed by mistake.
    /// </summary>
    public long MaxFileBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists. Real resources nest about a dozen levels.</summary>
    public int MaxDepth { get; init; } = 100;

    /// <summary>
    /// Most nodes one file may expand to, counting every use of an alias in full: this is what
    /// stops an alias bomb ("billion laughs") before it is walked.
    /// </summary>
    public int MaxNodes { get; init; } = 1_000_000;

    public static ReaderLimits Default { get; } = new();
}
