using System.ComponentModel.DataAnnotations;
using CanaryPilot.Kubernetes;
using CanaryPilot.Notifications;

namespace CanaryPilot.Service;

/// <summary>How <c>canarypilot serve</c> runs; from the command line, appsettings.json or CANARYPILOT__ environment variables.</summary>
public sealed class ServiceOptions
{
    public const string SectionName = "CanaryPilot";

    /// <summary>The HTTP port of the API, /healthz, /readyz and /metrics.</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>Listen on every interface (in a pod) instead of loopback only.</summary>
    public bool ListenOnAllInterfaces { get; set; }

    /// <summary>A file of <c>token:role</c> lines (roles <c>viewer</c> and <c>operator</c>).</summary>
    public string? TokensFile { get; set; }

    /// <summary>A Kubernetes Secret (<c>namespace/name</c>) whose <c>tokens</c> key holds the same lines.</summary>
    public string? TokensSecret { get; set; }

    /// <summary>The namespaces whose RolloutPlans are driven; every namespace when empty.</summary>
    public IList<string> Namespaces { get; } = [];

    /// <summary>A kubeconfig to use instead of the in-cluster service account.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>Overrides every plan's Prometheus address.</summary>
    public string? Prometheus { get; set; }

    /// <summary>The Lease replicas elect their leader on: <c>namespace/name</c>.</summary>
    [Required]
    public string Lease { get; set; } = "default/canarypilot-controller";

    /// <summary>This replica's name in the Lease; the pod name in a cluster.</summary>
    [Required]
    public string Identity { get; set; } = Environment.MachineName;

    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a newly elected leader waits for the watch cache's first list before it gives the Lease up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CacheSyncTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How the Kubernetes API is called (section <c>CanaryPilot:Kubernetes</c>).</summary>
    public KubernetesOptions Kubernetes { get; } = new();

    /// <summary>How notifications are delivered (section <c>CanaryPilot:Notifications</c>).</summary>
    public NotificationOptions Notifications { get; } = new();

    /// <summary>Checks every setting, the nested sections' too; throws <see cref="ValidationException"/> naming the first that is out of range.</summary>
    public void Validate()
    {
        foreach (var (section, value) in new (string, object)[] { ("", this), ("Kubernetes:", Kubernetes), ("Notifications:", Notifications) })
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true))
            {
                throw new ValidationException($"{SectionName}:{section}{string.Join(", ", results[0].MemberNames)}: {results[0].ErrorMessage}");
            }
        }
    }

    /// <summary>Largest request body the API accepts.</summary>
    public long MaxRequestBytes { get; set; } = 64 * 1024;
}
