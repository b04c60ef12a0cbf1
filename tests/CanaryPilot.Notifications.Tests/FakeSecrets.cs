using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;

namespace CanaryPilot.Notifications.Tests;

/// <summary>Secrets by environment-variable name, from a dictionary; a missing one fails as the real resolvers do.</summary>
internal sealed class FakeSecrets(Dictionary<string, string> values) : ISecretResolver
{
    public FakeSecrets()
        : this([])
    {
    }

    public string this[string name]
    {
        set => values[name] = value;
    }

    public ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken) =>
        source.Env is { } name && values.TryGetValue(name, out var value)
            ? ValueTask.FromResult(value)
            : throw new SecretUnavailableException($"environment variable {source.Env ?? source.File ?? source.SecretKeyRef?.Name} is not set");
}
