using System.Globalization;
using System.Text.RegularExpressions;

namespace CanaryPilot.Core.Validation;

/// <summary>Kubernetes naming rules.</summary>
public static partial class Names
{
    /// <summary>What <see cref="IsDnsLabel"/> accepts, said to a person.</summary>
    public const string DnsLabelRule = "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit";

    /// <summary>What <see cref="IsDnsSubdomain"/> accepts, said to a person.</summary>
    public const string DnsSubdomainRule = "use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";

    /// <summary>What <see cref="IsSecretKey"/> accepts, said to a person.</summary>
    public const string SecretKeyRule = "use at most 253 letters, digits, '-', '_' and '.'";

    private const int QuotedLength = 63;

    /// <summary>A DNS-1123 label: what Kubernetes accepts as namespaces and most object names.</summary>
    public static bool IsDnsLabel(string name) => name.Length <= 63 && DnsLabel().IsMatch(name);

    /// <summary>A DNS-1123 subdomain: what Kubernetes accepts as the names of custom resources such as VirtualServices.</summary>
    public static bool IsDnsSubdomain(string name) => name.Length <= 253 && DnsSubdomain().IsMatch(name);

    /// <summary>A key of a Secret's data, as Kubernetes accepts one.</summary>
    public static bool IsSecretKey(string key) => key.Length <= 253 && SecretKey().IsMatch(key);

    /// <summary><paramref name="name"/> in quotes for a message; one too long to read is cut, with its length said.</summary>
    public static string Quote(string name) => name.Length <= QuotedLength
        ? $"\"{name}\""
        : string.Create(CultureInfo.InvariantCulture, $"\"{name[..QuotedLength]}…\" ({name.Length:N0} characters)");

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[-._a-zA-Z0-9]+\z")]
    private static partial Regex SecretKey();
}
