using System.Text.RegularExpressions;

namespace CanaryPilot.Core.Validation;

/// <summary>Kubernetes naming rules.</summary>
public static partial class Names
{
    /// <summary>A DNS-1123 label: what Kubernetes accepts as most object names.</summary>
    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
