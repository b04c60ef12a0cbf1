using System.Globalization;
using System.Text.Json.Nodes;

namespace CanaryPilot.Core.Documents;

/// <summary>
/// A parsed document as JSON, the way the API server reads YAML: plain scalars that are numbers,
/// booleans or null become those; everything quoted stays a string.
/// </summary>
public static class SourceJson
{
    public static JsonNode? From(SourceNode node) => node switch
    {
        MappingNode mapping => new JsonObject(mapping.Entries.Select(e => KeyValuePair.Create(e.Key.Value, From(e.Value)))),
        SequenceNode sequence => new JsonArray([.. sequence.Items.Select(From)]),
        ScalarNode { IsNull: true } => null,
        ScalarNode { IsPlain: true, Value: "true" or "True" or "TRUE" } => JsonValue.Create(true),
        ScalarNode { IsPlain: true, Value: "false" or "False" or "FALSE" } => JsonValue.Create(false),
        ScalarNode { IsPlain: true } s when long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        ScalarNode { IsPlain: true } s when double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => JsonValue.Create(number),
        ScalarNode s => JsonValue.Create(s.Value),
        _ => null,
    };
}
