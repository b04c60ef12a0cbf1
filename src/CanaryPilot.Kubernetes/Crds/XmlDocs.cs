using System.Reflection;
using System.Xml.Linq;

namespace CanaryPilot.Kubernetes.Crds;

/// <summary>The XML documentation of an assembly, read from the .xml file built beside it: the text of a property's summary.</summary>
internal sealed class XmlDocs
{
    private readonly Dictionary<string, string> _summaries = new(StringComparer.Ordinal);

    public XmlDocs(Assembly assembly)
    {
        var file = Path.ChangeExtension(assembly.Location, ".xml");
        if (!File.Exists(file))
        {
            return;
        }

        foreach (var member in XDocument.Load(file).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
            {
                _summaries[name] = Flatten(summary);
            }
        }
    }

    public string? Of(PropertyInfo property) => _summaries.GetValueOrDefault($"P:{property.DeclaringType!.FullName}.{property.Name}");

    public string? Of(Type type) => _summaries.GetValueOrDefault($"T:{type.FullName}");

    /// <summary>Summary text on one line, with <c>see cref</c> written as the member's name.</summary>
    private static string Flatten(XElement summary)
    {
        var parts = summary.Nodes().Select(n => n switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "see" } see => (see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? "").Split('.')[^1],
            XElement element => element.Value,
            _ => "",
        });
        return string.Join(' ', string.Concat(parts).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
    }
}
