using System.ComponentModel.DataAnnotations;

namespace CanaryPilot.Prometheus;

/// <summary>
/// How CanaryPilot talks to a Prometheus HTTP API (or a compatible server): where, as whom, and how hard
/// it tries, one connection's worth, made from a plan's <c>spec.analysis.prometheus</c>. Secret values here
/// are already resolved; they are never logged.
/// </summary>
public sealed class PrometheusClientOptions
{
    /// <summary>Base URL of the HTTP API, such as <c>http://prometheus:9090</c> or <c>https://thanos.example/prometheus/</c>.</summary>
    [Required]
    public Uri Address { get; set; } = null!;

    /// <summary>How long one attempt (request and whole answer) may take before it is abandoned and retried.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries after the first attempt, on transport errors, timeouts, 5xx and 429.</summary>
    [Range(0, 10)]
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>The base of the exponential, jittered delay between retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait a <c>Retry-After</c> header may ask for before a retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The circuit opens when at least this share of the sampled calls failed…</summary>
    [Range(0.01, 1.0)]
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>…among at least this many calls…</summary>
    [Range(2, int.MaxValue)]
    public int CircuitMinimumThroughput { get; set; } = 10;

    /// <summary>…within this time.</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// While open, calls fail at once for this long the first time; then one call tries again, and each time it
    /// fails the break doubles, up to <see cref="CircuitBreakDuration"/>. A short first break means a Prometheus
    /// back after a few seconds is asked again within a few seconds, not after the longest break.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitFirstBreakDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest break of an open circuit, for a Prometheus that stays down (a longer first break is cut to this).</summary>
    [Range(typeof(TimeSpan), "00:00:00.500", "01:00:00")]
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A larger answer is refused rather than read: a query that returns that much is wrong.</summary>
    [Range(1024, int.MaxValue)]
    public int MaxResponseBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Queries whose GET URL would be longer are sent as a POST form, as proxies cut long URLs.</summary>
    [Range(0, 65536)]
    public int MaxGetUrlLength { get; set; } = 2048;

    /// <summary>Sent as <c>Authorization: Bearer …</c>.</summary>
    public string? BearerToken { get; set; }

    /// <summary>User name for HTTP basic authentication, with <see cref="Password"/>.</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Extra headers on every request (a tenant ID, an API key).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>PEM file of the certificate authorities trusted for the server's certificate, instead of the system's.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate and key, for servers that ask for one.</summary>
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>The name the server's certificate must carry, when it is not the address's host.</summary>
    public string? ServerName { get; set; }

    /// <summary>Accept any server certificate. For trials only.</summary>
    public bool InsecureSkipVerify { get; set; }

    /// <summary>
    /// What makes one connection differ from another — address, timeouts, retries, credentials, headers,
    /// TLS — hashed, so the key itself holds no credential: options with the same key can share one
    /// client, its connections and its circuit breaker. Fields are separated by newlines, which no
    /// address, credential or header value may contain.
    /// </summary>
    public string ConnectionKey()
    {
        var text = new System.Text.StringBuilder()
            .AppendJoin('\n', Address, Timeout.Ticks, MaxRetryAttempts, RetryDelay.Ticks, MaxRetryAfter.Ticks, CircuitFailureRatio, CircuitMinimumThroughput,
                CircuitSamplingDuration.Ticks, CircuitFirstBreakDuration.Ticks, CircuitBreakDuration.Ticks, MaxResponseBytes, MaxGetUrlLength, BearerToken, Username, Password,
                CaFile, CertFile, KeyFile, ServerName, InsecureSkipVerify);
        foreach (var (name, value) in Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            text.Append('\n').Append(name.ToLowerInvariant()).Append(": ").Append(value);
        }

        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString())));
    }
}
