namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>A resource URL taken apart: <c>/apis/{group}/{version}/namespaces/{ns}/{plural}/{name}/{subresource}</c>.</summary>
public sealed record ResourcePath(string Group, string Version, string Plural, string? Namespace, string? Name, string? Subresource)
{
    /// <summary>Parses a path under <c>/api/v1</c> or <c>/apis/{group}/{version}</c>; null when it names no resource.</summary>
    public static ResourcePath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/');
        string group, version;
        int rest;
        if (segments is ["api", var coreVersion, _, ..])
        {
            (group, version, rest) = ("", coreVersion, 2);
        }
        else if (segments is ["apis", var g, var v, _, ..])
        {
            (group, version, rest) = (g, v, 3);
        }
        else
        {
            return null;
        }

        var tail = segments[rest..];
        return tail switch
        {
            // The namespace object itself, and its subresources, live at /api/v1/namespaces/{name}[/status].
            ["namespaces", var ns] when group.Length == 0 => new(group, version, "namespaces", null, ns, null),
            ["namespaces", var ns, var sub] when group.Length == 0 && sub is "status" or "finalize" => new(group, version, "namespaces", null, ns, sub),
            ["namespaces", var ns, var plural] => new(group, version, plural, ns, null, null),
            ["namespaces", var ns, var plural, var name] => new(group, version, plural, ns, name, null),
            ["namespaces", var ns, var plural, var name, var sub] => new(group, version, plural, ns, name, sub),
            [var plural] => new(group, version, plural, null, null, null),
            [var plural, var name] => new(group, version, plural, null, name, null),
            [var plural, var name, var sub] => new(group, version, plural, null, name, sub),
            _ => null,
        };
    }
}
