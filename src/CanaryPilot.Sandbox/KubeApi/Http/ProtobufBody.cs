using System.Text;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>
/// Reads the protobuf bodies kubectl's generators send (<c>kubectl create namespace</c>,
/// <c>configmap</c>, <c>secret</c>, <c>rolebinding</c>): the <c>k8s\0</c> envelope, the object's type,
/// its metadata (name, generateName, namespace, labels, annotations), a ConfigMap's or a Secret's
/// data and a binding's subjects and roleRef. Everything else
/// kubectl sends as JSON.
/// </summary>
internal static class ProtobufBody
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = [(byte)'k', (byte)'8', (byte)'s', 0];

    public static JsonObject Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            throw KubeApiException.BadRequest("the protobuf body does not start with the k8s envelope");
        }

        string? apiVersion = null, kind = null;
        var raw = ReadOnlySpan<byte>.Empty;
        foreach (var (field, value) in Fields(body[Magic.Length..]))
        {
            switch (field)
            {
                case 1:
                    foreach (var (typeField, typeValue) in Fields(value))
                    {
                        (apiVersion, kind) = typeField == 1 ? (Text(typeValue), kind) : typeField == 2 ? (apiVersion, Text(typeValue)) : (apiVersion, kind);
                    }

                    break;
                case 2:
                    raw = value;
                    break;
            }
        }

        var item = new JsonObject { ["apiVersion"] = apiVersion, ["kind"] = kind };
        foreach (var (field, value) in Fields(raw))
        {
            if (field == 1)
            {
                item["metadata"] = Metadata(value);
            }
            else if (field == 2 && kind == "ConfigMap")
            {
                var data = item["data"] as JsonObject ?? [];
                var (key, entry) = MapEntry(value);
                data[key] = entry;
                item["data"] = data;
            }
            else if (kind == "Secret" && field is 2 or 3 or 4)
            {
                Secret(item, field, value);
            }
            else if (kind is "RoleBinding" or "ClusterRoleBinding" && field is 2 or 3)
            {
                Binding(item, field, value);
            }
            else if (field == 2 && kind != "Namespace")
            {
                throw new KubeApiException(415, "UnsupportedMediaType", $"this server reads {kind} only as JSON; send it with kubectl apply");
            }
        }

        return item;
    }

    /// <summary>A Secret's data (field 2, bytes, base64 in JSON), type (3) and stringData (4), as <c>kubectl create secret</c> sends them.</summary>
    private static void Secret(JsonObject item, int field, ReadOnlySpan<byte> bytes)
    {
        if (field == 3)
        {
            item["type"] = Text(bytes);
            return;
        }

        var map = field == 2 ? "data" : "stringData";
        var entries = item[map] as JsonObject ?? [];
        string key = "";
        byte[] value = [];
        foreach (var (number, data) in Fields(bytes))
        {
            if (number == 1)
            {
                key = Text(data);
            }
            else
            {
                value = data;
            }
        }

        entries[key] = field == 2 ? Convert.ToBase64String(value) : Text(value);
        item[map] = entries;
    }

    /// <summary>A binding's subjects (field 2) and roleRef (field 3), as <c>kubectl create rolebinding</c> sends them.</summary>
    private static void Binding(JsonObject item, int field, ReadOnlySpan<byte> bytes)
    {
        string[] names = field == 2 ? ["kind", "apiGroup", "name", "namespace"] : ["apiGroup", "kind", "name"];
        var entry = new JsonObject();
        foreach (var (number, value) in Fields(bytes))
        {
            if (number <= names.Length && value.Length > 0)
            {
                entry[names[number - 1]] = Text(value);
            }
        }

        if (field == 3)
        {
            item["roleRef"] = entry;
            return;
        }

        var subjects = item["subjects"] as JsonArray ?? [];
        subjects.Add(entry);
        item["subjects"] = subjects;
    }

    private static JsonObject Metadata(ReadOnlySpan<byte> bytes)
    {
        var metadata = new JsonObject();
        foreach (var (field, value) in Fields(bytes))
        {
            if (value.Length == 0)
            {
                continue; // proto2 writes empty strings; the JSON form omits them
            }

            switch (field)
            {
                case 1:
                    metadata["name"] = Text(value);
                    break;
                case 2:
                    metadata["generateName"] = Text(value);
                    break;
                case 3:
                    metadata["namespace"] = Text(value);
                    break;
                case 11 or 12:
                    var map = field == 11 ? "labels" : "annotations";
                    var entries = metadata[map] as JsonObject ?? [];
                    var (key, entry) = MapEntry(value);
                    entries[key] = entry;
                    metadata[map] = entries;
                    break;
            }
        }

        return metadata;
    }

    private static (string Key, string Value) MapEntry(ReadOnlySpan<byte> bytes)
    {
        string key = "", value = "";
        foreach (var (field, data) in Fields(bytes))
        {
            (key, value) = field == 1 ? (Text(data), value) : (key, Text(data));
        }

        return (key, value);
    }

    private static string Text(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited fields of a message; varint and fixed fields are skipped.</summary>
    private static List<(int Field, byte[] Value)> Fields(ReadOnlySpan<byte> message)
    {
        var fields = new List<(int, byte[])>();
        var position = 0;
        while (position < message.Length)
        {
            var tag = Varint(message, ref position);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    Varint(message, ref position);
                    break;
                case 1:
                    position += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref position);
                    if (length < 0 || position + length > message.Length)
                    {
                        throw KubeApiException.BadRequest("the protobuf body is truncated");
                    }

                    fields.Add((field, message.Slice(position, length).ToArray()));
                    position += length;
                    break;
                case 5:
                    position += 4;
                    break;
                default:
                    throw KubeApiException.BadRequest("the protobuf body is malformed");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> bytes, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw KubeApiException.BadRequest("the protobuf body is truncated");
            }

            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw KubeApiException.BadRequest("the protobuf body is malformed");
    }
}
