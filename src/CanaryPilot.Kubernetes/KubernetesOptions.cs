using System.ComponentModel.DataAnnotations;

namespace CanaryPilot.Kubernetes;

/// <summary>How CanaryPilot talks to the Kubernetes API; <c>serve</c> reads them from the <c>CanaryPilot:Kubernetes</c> section.</summary>
public sealed class KubernetesOptions
{
    public const string SectionName = "Kubernetes";

    /// <summary>The networking.istio.io version used to read and write Istio resources; <c>v1</c> since Istio 1.22.</summary>
    [Required]
    [AllowedValues("v1", "v1beta1", "v1alpha3")]
    public string IstioApiVersion { get; set; } = "v1";

    /// <summary>The gateway.networking.k8s.io version used to read and write HTTPRoutes; <c>v1</c> since Gateway API 1.0.</summary>
    [Required]
    [AllowedValues("v1", "v1beta1")]
    public string GatewayApiVersion { get; set; } = "v1";

    /// <summary>Retries of a request that failed transiently (5xx, 429, a timeout, a dropped connection).</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long one request may take.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Times a write is re-applied after a 409 Conflict before giving up.</summary>
    [Range(1, 100)]
    public int MaxConflictRetries { get; set; } = 10;
}
