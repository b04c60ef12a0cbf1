using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Notifications;
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

    public NotificationOptions Notifications { get; init; } = new();

    /// <summary>The namespaces whose RolloutPlans the engine reads and drives; every namespace when empty.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    /// <summary>
    /// Who this engine drives. By default every plan that no <c>canarypilot run</c> has taken; <c>run</c>
    /// drives only its own (<see cref="DrivingRule.ForCli"/>), <c>serve</c> its namespaces while it leads.
    /// </summary>
    public DrivingRule Rule { get; init; } = DrivingRule.ForController([], () => true);

    /// <summary>
    /// Keep a watch cache of every kind a tick reads (<c>serve</c>), so quiet ticks read nothing from the
    /// API; without it (<c>run</c>, one rollout) every read goes to the API. The cache runs as a hosted service.
    /// </summary>
    public bool Watch { get; init; }

    /// <summary>Counts caught failures by component (<c>canarypilot_errors_total</c> in <c>serve</c>).</summary>
    public IErrorCounter Errors { get; init; } = IErrorCounter.None;

    /// <summary>Secrets given as files or environment variables (the CLI); cluster Secrets are always readable.</summary>
    public ISecretResolver? LocalSecrets { get; init; }

    /// <summary>Which face of CanaryPilot this engine serves (<c>serve</c>, <c>run</c>, <c>demo</c>), in the user agent of its Kubernetes calls.</summary>
    public string Component { get; init; } = "engine";

    /// <summary>Names this process in events: the pod, or the machine running the CLI.</summary>
    public string Instance { get; init; } = Environment.MachineName;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Rollouts reconciled at once. A reconcile mostly waits on the Kubernetes API and Prometheus, so
    /// this is well above the cores; Quartz's default of 10 starves thousands of rollouts, and 64 fell
    /// behind at 10,000 rollouts ticking every 10 s.
    /// </summary>
    public int MaxConcurrentReconciles { get; init; } = 128;

    /// <summary>
    /// Wraps the HTTP calls to each outside system (<c>kubernetes</c>, <c>prometheus</c>), e.g. to
    /// measure them; called once per client built. None by default.
    /// </summary>
    public Func<string, DelegatingHandler>? Outbound { get; init; }
}
