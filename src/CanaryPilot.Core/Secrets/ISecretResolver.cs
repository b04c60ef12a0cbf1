using CanaryPilot.Core.Plans;

namespace CanaryPilot.Core.Secrets;

/// <summary>
/// Turns a <see cref="SecretSource"/> into its value: a Kubernetes Secret in the cluster, a file or
/// an environment variable on the command line. Values are secrets: callers never log them, put
/// them in status or events, or quote them in errors.
/// </summary>
public interface ISecretResolver
{
    /// <summary>The value, or a <see cref="SecretUnavailableException"/> that names the source (never the value).</summary>
    ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken);
}

/// <summary>A secret could not be read; the message names where it was looked for, never a value.</summary>
public sealed class SecretUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
