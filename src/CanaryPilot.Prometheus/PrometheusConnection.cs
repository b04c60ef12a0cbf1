using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;

namespace CanaryPilot.Prometheus;

/// <summary>Turns a plan's <see cref="PrometheusSpec"/> into client options, reading its secrets through the resolver.</summary>
public static class PrometheusConnection
{
    /// <summary>
    /// The options for <paramref name="address"/> (the plan's, or one given on the command line) with the
    /// plan's credentials, headers, TLS and timeout. Throws <see cref="SecretUnavailableException"/> when a
    /// secret cannot be read.
    /// </summary>
    public static async Task<PrometheusClientOptions> OptionsAsync(
        PrometheusSpec spec, Uri address, string namespaceName, ISecretResolver secrets, CancellationToken cancellationToken)
    {
        var options = new PrometheusClientOptions
        {
            Address = address,
            Timeout = spec.Timeout,
            CaFile = spec.Tls?.CaFile,
            CertFile = spec.Tls?.CertFile,
            KeyFile = spec.Tls?.KeyFile,
            ServerName = spec.Tls?.ServerName,
            InsecureSkipVerify = spec.Tls?.InsecureSkipVerify ?? false,
        };
        if (spec.BearerToken is { } token)
        {
            options.BearerToken = (await secrets.ResolveAsync(token, namespaceName, cancellationToken).ConfigureAwait(false)).Trim();
        }

        if (spec.BasicAuth is { } basic)
        {
            options.Username = basic.Username;
            options.Password = (await secrets.ResolveAsync(basic.Password, namespaceName, cancellationToken).ConfigureAwait(false)).TrimEnd('\r', '\n');
        }

        foreach (var header in spec.Headers)
        {
            options.Headers[header.Name] = header.ValueFrom is { } source
                ? (await secrets.ResolveAsync(source, namespaceName, cancellationToken).ConfigureAwait(false)).Trim()
                : header.Value ?? "";
        }

        return options;
    }
}
