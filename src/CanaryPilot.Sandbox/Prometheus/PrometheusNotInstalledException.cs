namespace CanaryPilot.Sandbox.Prometheus;

/// <summary>The <c>prometheus</c> binary is not there; the message says how to install it, in one line.</summary>
public sealed class PrometheusNotInstalledException(string binary)
    : Exception($"{binary} is not installed (not found on PATH); install it with: apt-get install prometheus")
{
}
