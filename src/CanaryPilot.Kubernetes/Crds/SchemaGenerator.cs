using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Binding;

namespace CanaryPilot.Kubernetes.Crds;

/// <summary>
/// OpenAPI v3 (structural) schemas for CRDs, generated from the C# records with the same rules the
/// plan binder reads them by: camelCase names, <c>required</c> members, durations as strings, enum
/// values by name, and each field's XML summary as its description.
/// </summary>
internal sealed class SchemaGenerator(XmlDocs docs, Func<object, string> enumName)
{
    public JsonObject Schema(Type type, string? description = null)
    {
        var schema = Build(Nullable.GetUnderlyingType(type) ?? type);
        if ((description ?? docs.Of(type)) is { } text)
        {
            schema["description"] = text;
        }

        return schema;
    }

    private JsonObject Build(Type type)
    {
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            return new JsonObject { ["type"] = "integer", ["format"] = type == typeof(int) ? "int32" : "int64" };
        }

        if (type == typeof(double))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(TimeSpan))
        {
            return new JsonObject { ["type"] = "string", ["pattern"] = @"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$|^0$" };
        }

        if (type == typeof(DateTimeOffset))
        {
            return new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Enum.GetValues(type).Cast<object>().Select(v => (JsonNode)enumName(v))]) };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return new JsonObject { ["type"] = "array", ["items"] = Schema(type.GetGenericArguments()[0]) };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>))
        {
            return new JsonObject { ["type"] = "object", ["additionalProperties"] = Schema(type.GetGenericArguments()[1]) };
        }

        return Object(type);
    }

    private JsonObject Object(Type type)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null))
        {
            var name = property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            properties[name] = Schema(property.PropertyType, docs.Of(property));
            if (property.GetCustomAttribute<RequiredMemberAttribute>() is not null)
            {
                required.Add(name);
            }
        }

        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        return schema;
    }

    /// <summary>Enum values as the plan binder reads them (camelCase, or their JSON name).</summary>
    public static string SpecEnumName(object value) => ObjectBinder.EnumName(value);

    /// <summary>Enum values as status carries them: Kubernetes' PascalCase (<c>Progressing</c>).</summary>
    public static string StatusEnumName(object value) => value.ToString()!;
}
