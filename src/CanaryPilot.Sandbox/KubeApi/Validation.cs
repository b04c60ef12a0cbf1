using System.Text.RegularExpressions;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>The API server's name rules.</summary>
internal static partial class Validation
{
    public static void CheckName(ResourceType type, string name)
    {
        var label = type is { Group: "", Plural: "namespaces" or "services" };
        var valid = label ? name.Length <= 63 && DnsLabel().IsMatch(name) : name.Length <= 253 && DnsSubdomain().IsMatch(name);
        if (!valid)
        {
            var rule = label
                ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
                : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
            throw KubeApiException.Invalid(type, name, "metadata.name", $"Invalid value: \"{name}\": {rule}");
        }
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();
}
