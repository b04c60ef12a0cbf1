using System.Net;
using System.Text;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using k8s;
using k8s.Autorest;
using Polly;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// Resolves <c>secretKeyRef</c> sources from Kubernetes Secrets in the plan's namespace; file and
/// environment sources go to <paramref name="local"/> when one is given. Errors name the Secret and
/// key, never a value.
/// </summary>
public sealed class KubernetesSecretResolver(IKubernetes client, ResiliencePipeline pipeline, ISecretResolver? local = null) : ISecretResolver
{
    public async ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken)
    {
        if (source.SecretKeyRef is not { } reference)
        {
            return local is not null
                ? await local.ResolveAsync(source, namespaceName, cancellationToken)
                : throw new SecretUnavailableException("only secretKeyRef sources can be read in the cluster");
        }

        try
        {
            var secret = await pipeline.ExecuteAsync(
                async token => await client.CoreV1.ReadNamespacedSecretAsync(reference.Name, namespaceName, cancellationToken: token),
                cancellationToken);
            if (secret.Data?.TryGetValue(reference.Key, out var bytes) == true)
            {
                return Encoding.UTF8.GetString(bytes).TrimEnd('\n', '\r');
            }

            if (secret.StringData?.TryGetValue(reference.Key, out var text) == true)
            {
                return text;
            }

            throw new SecretUnavailableException($"Secret {namespaceName}/{reference.Name} has no key \"{reference.Key}\"");
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
        {
            throw new SecretUnavailableException($"Secret {namespaceName}/{reference.Name} cannot be read ({(int)e.Response.StatusCode} {e.Response.StatusCode})", e);
        }
    }
}
