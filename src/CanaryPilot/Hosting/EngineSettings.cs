using CanaryPilot.Core.Secrets;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using k8s;

namespace CanaryPilot.Hosting;

/// <summary>What the rollout engine needs to know about its surroundings.</summary>
public sealed record EngineSettings
{
    /// <summary>The cluster: from a kubeconfig, or in-cluster.</summary>
    public required KubernetesClientConfiguration Cluster { get; init; }

    /// <summary>Overrides every plan's Prometheus address (the CLI's <c>--prometheus</c>).</summary>
    public Uri? Prometheus { get; init; }

    public KubernetesOptions Kubernetes { get; init; } = new();

    public RolloutStoreOptions Store { get; init; } = new();

    /// <summary>Secrets given as files or environment variables (the CLI); cluster Secrets are always readable.</summary>
    public ISecretResolver? LocalSecrets { get; init; }

    /// <summary>Names this process in events: the pod, or the machine running the CLI.</summary>
    public string Instance { get; init; } = Environment.MachineName;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Rollouts reconciled at once. A reconcile mostly waits on the Kubernetes API and Prometheus, so
    /// this is well above the cores; Quartz's default of 10 starves thousands of rollouts.
    /// </summary>
    public int MaxConcurrentReconciles { get; init; } = 64;

    /// <summary>
    /// Wraps the HTTP calls to each outside system (<c>kubernetes</c>, <c>prometheus</c>), e.g. to
    /// measure them; called once per client built. None by default.
    /// </summary>
    public Func<string, DelegatingHandler>? Outbound { get; init; }
}
