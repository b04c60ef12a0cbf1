using System.Text;

namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>
/// The OpenAPI v2 document at <c>/openapi/v2</c>, protobuf-encoded (gnostic's <c>openapi.v2.Document</c>)
/// as kubectl asks for it. It has no definitions, so kubectl skips client-side validation as it does
/// for custom resources without a schema, and one path per served resource whose PATCH operation
/// carries the kind (<c>x-kubernetes-group-version-kind</c>) and the <c>dryRun</c> parameter: how
/// kubectl before 1.26 decides that <c>--dry-run=server</c> is supported for a kind.
/// </summary>
internal static class OpenApiV2
{
    // Field numbers of openapi.v2 messages.
    private const int DocumentSwagger = 1, DocumentInfo = 2, DocumentPaths = 8;
    private const int InfoTitle = 1, InfoVersion = 2;
    private const int PathsPath = 2, NamedName = 1, NamedValue = 2;
    private const int PathItemPatch = 8;
    private const int OperationId = 5, OperationParameters = 8, OperationVendorExtension = 13;
    private const int ParametersItemParameter = 1, ParameterNonBody = 2, NonBodyQuery = 3;
    private const int QueryIn = 2, QueryName = 4, QueryType = 6;
    private const int AnyYaml = 2;

    public static byte[] Document(ResourceCatalog catalog)
    {
        var paths = new List<byte[]>();
        foreach (var type in catalog.All())
        {
            var prefix = type.Group.Length == 0 ? "/api/v1" : $"/apis/{type.Group}/{type.Version}";
            var path = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}/{{name}}" : $"{prefix}/{type.Plural}/{{name}}";
            var dryRun = Message(OperationParameters, Message(ParametersItemParameter, Message(ParameterNonBody, Message(NonBodyQuery,
                [.. Text(QueryIn, "query"), .. Text(QueryName, "dryRun"), .. Text(QueryType, "string")]))));
            var kind = Message(OperationVendorExtension,
                [.. Text(NamedName, "x-kubernetes-group-version-kind"),
                 .. Message(NamedValue, Text(AnyYaml, $"group: \"{type.Group}\"\nkind: {type.Kind}\nversion: {type.Version}\n"))]);
            var patch = Message(PathItemPatch, [.. Text(OperationId, $"patch{type.Kind}{type.Version}"), .. dryRun, .. kind]);
            paths.Add(Message(PathsPath, [.. Text(NamedName, path), .. Message(NamedValue, patch)]));
        }

        return
        [
            .. Text(DocumentSwagger, "2.0"),
            .. Message(DocumentInfo, [.. Text(InfoTitle, "CanaryPilot sandbox"), .. Text(InfoVersion, "v1.32.0")]),
            .. Message(DocumentPaths, [.. paths.SelectMany(p => p)]),
        ];
    }

    private static byte[] Text(int field, string value) => Message(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A length-delimited field: the tag, the length as a varint, the bytes.</summary>
    private static byte[] Message(int field, byte[] value)
    {
        var bytes = new List<byte>(value.Length + 6);
        Varint(bytes, (uint)((field << 3) | 2));
        Varint(bytes, (uint)value.Length);
        bytes.AddRange(value);
        return [.. bytes];
    }

    private static void Varint(List<byte> bytes, uint value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
    }
}
