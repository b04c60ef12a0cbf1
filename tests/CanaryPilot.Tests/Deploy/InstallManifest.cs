using System.Text.Json.Nodes;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Tests.Deploy;

/// <summary>The objects of a rendered install (<c>deploy/install.yaml</c>, or kustomize's output), keyed as kubectl names them.</summary>
internal sealed class InstallManifest
{
    public const string Namespace = "canarypilot-system";

    private InstallManifest(IReadOnlyList<JsonObject> objects) => Objects = objects;

    public static string Path { get; } = Repository.Path("deploy", "install.yaml");

    public IReadOnlyList<JsonObject> Objects { get; }

    public static InstallManifest Committed() => Parse("install.yaml", File.ReadAllText(Path));

    public static InstallManifest Parse(string name, string yaml) =>
        new([.. new InputLoader().LoadText(name, yaml).Documents.Select(d => SourceJson.From(d.Root)!.AsObject())]);

    /// <summary><c>kind/namespace/name</c>, e.g. <c>Deployment/canarypilot-system/canarypilot</c>.</summary>
    public static string Key(JsonNode item) =>
        $"{item["kind"]}/{item["metadata"]?["namespace"]}/{item["metadata"]!["name"]}";

    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject Single(string kind, string name) => Objects.Single(o => (string?)o["kind"] == kind && (string?)o["metadata"]!["name"] == name);
}
