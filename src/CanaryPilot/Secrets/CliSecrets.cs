using CanaryPilot.Core.Secrets;
using CanaryPilot.Kubernetes;

namespace CanaryPilot.Secrets;

/// <summary>Where a command reads a plan's secrets: files and environment variables always; a cluster's Secrets when a kubeconfig is given.</summary>
internal static class CliSecrets
{
    public static ISecretResolver For(k8s.Kubernetes? cluster, TimeProvider time) =>
        cluster is null
            ? new LocalSecretResolver()
            : new KubernetesSecretResolver(cluster, KubernetesResilience.Create(new KubernetesOptions(), time), new LocalSecretResolver());
}
