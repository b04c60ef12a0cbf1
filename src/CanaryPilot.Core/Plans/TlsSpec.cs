namespace CanaryPilot.Core.Plans;

/// <summary>TLS settings for an <c>https</c> server.</summary>
public sealed record TlsSpec
{
    /// <summary>A PEM file of the certificate authorities that may sign the server's certificate, instead of the system's.</summary>
    public string? CaFile { get; init; }

    /// <summary>A PEM client certificate, for servers that require one; needs <see cref="KeyFile"/>.</summary>
    public string? CertFile { get; init; }

    /// <summary>The PEM private key of <see cref="CertFile"/>.</summary>
    public string? KeyFile { get; init; }

    /// <summary>The name the server's certificate must carry, when it differs from the address's host.</summary>
    public string? ServerName { get; init; }

    /// <summary>Accept any server certificate. For trials only: anyone on the path can read and change the answers.</summary>
    public bool InsecureSkipVerify { get; init; }
}
