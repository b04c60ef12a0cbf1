namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>A resource the emulator serves: one group, version and plural, as discovery describes it.</summary>
public sealed record ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    /// <summary>The plural, lower case: the URL segment (<c>virtualservices</c>).</summary>
    public required string Plural { get; init; }

    public required string Kind { get; init; }

    public string Singular => Kind.ToLowerInvariant();

    public bool Namespaced { get; init; } = true;

    /// <summary>Whether <c>/status</c> is a subresource: status then changes only through it.</summary>
    public bool HasStatus { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    /// <summary>Extra columns of <c>kubectl get</c>, from a CRD's additionalPrinterColumns.</summary>
    public IReadOnlyList<PrinterColumn> PrinterColumns { get; init; } = [];

    /// <summary>
    /// Served through a CustomResourceDefinition on a real cluster (Istio's kinds, and any CRD):
    /// strategic merge patch is refused for these, as the real server refuses it.
    /// </summary>
    public bool Custom { get; init; }

    /// <summary>The object holds no spec (e.g. ConfigMap): every change counts toward generation.</summary>
    public bool SpecLess { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>Storage key: all versions of one group and plural share objects, as on a real server.</summary>
    public string StorageKey => $"{Group}/{Plural}";
}

/// <summary>A column of <c>kubectl get</c>: a JSONPath into the object.</summary>
public sealed record PrinterColumn(string Name, string Type, string JsonPath, string? Description = null, int Priority = 0, string? Format = null);
