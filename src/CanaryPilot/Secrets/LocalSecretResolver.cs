using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;

namespace CanaryPilot.Secrets;

/// <summary>
/// Secrets on the machine the CLI runs on: <c>file</c> (a trailing line break is dropped, as editors add
/// one) and <c>env</c>. A <c>secretKeyRef</c> needs a cluster, so it is refused with what to do instead.
/// </summary>
internal sealed class LocalSecretResolver : ISecretResolver
{
    public async ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken)
    {
        if (source.File is { } file)
        {
            try
            {
                return (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).TrimEnd('\n', '\r');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SecretUnavailableException($"cannot read secret file {file}: {e.Message}", e);
            }
        }

        if (source.Env is { } name)
        {
            return Environment.GetEnvironmentVariable(name) is { Length: > 0 } value
                ? value
                : throw new SecretUnavailableException($"environment variable {name} is not set");
        }

        var reference = source.SecretKeyRef!;
        throw new SecretUnavailableException($"Secret {namespaceName}/{reference.Name} is in a cluster: pass --kubeconfig to read it, or use file or env");
    }
}
