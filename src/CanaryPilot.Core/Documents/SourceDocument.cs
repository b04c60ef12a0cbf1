namespace CanaryPilot.Core.Documents;

/// <summary>One document of an input file (files may hold several, separated by <c>---</c>).</summary>
public sealed record SourceDocument(string File, MappingNode Root)
{
    public string? ApiVersion => Root.Scalar("apiVersion");

    public string? Kind => Root.Scalar("kind");

    public string? Name => Root.Mapping("metadata")?.Scalar("name");

    public string? Namespace => Root.Mapping("metadata")?.Scalar("namespace");

    /// <summary>The API group: <c>networking.istio.io</c> for <c>networking.istio.io/v1</c>, empty for core.</summary>
    public string Group => ApiVersion is { } v && v.IndexOf('/', StringComparison.Ordinal) is var i and >= 0 ? v[..i] : "";

    public string Describe() => $"{Kind} {(Namespace is null ? "" : Namespace + "/")}{Name}";
}
