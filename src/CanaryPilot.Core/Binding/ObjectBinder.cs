using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CanaryPilot.Core.Common;
using CanaryPilot.Core.Diagnostics;
using CanaryPilot.Core.Documents;

namespace CanaryPilot.Core.Binding;

/// <summary>
/// Binds a <see cref="SourceNode"/> tree onto records, strictly: unknown fields (with a "did you
/// mean"), wrong types, missing <c>required</c> members and bad durations or enum values each become
/// one finding with its path and position. Field names are the camelCase property names.
/// </summary>
public sealed class ObjectBinder(SourceMap map, DiagnosticBag diagnostics)
{
    private static readonly ConcurrentDictionary<Type, Field[]> Fields = new();

    public T? Bind<T>(SourceNode node, string path)
        where T : class => (T?)Bind(typeof(T), node, path);

    private object? Bind(Type type, SourceNode node, string path)
    {
        map.Record(path, node.Position);
        if (node is ScalarNode { IsNull: true })
        {
            return null;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return node is ScalarNode s ? s.Value : Mismatch(node, path, "a string");
        }

        if (type == typeof(int) || type == typeof(double) || type == typeof(bool))
        {
            return BindPrimitive(type, node, path);
        }

        if (type == typeof(TimeSpan))
        {
            if (node is ScalarNode text && Duration.TryParse(text.Value, out var duration))
            {
                return duration;
            }

            return Fail(node, path, $"invalid duration {node.Describe()}: {Duration.Hint}");
        }

        if (type.IsEnum)
        {
            return BindEnum(type, node, path);
        }

        if (type.IsGenericType && ElementType(type, typeof(IReadOnlyList<>)) is { } itemType)
        {
            return BindList(itemType, node, path);
        }

        if (type.IsGenericType && ElementType(type, typeof(IReadOnlyDictionary<,>)) is { } valueType)
        {
            return BindDictionary(valueType, node, path);
        }

        return BindObject(type, node, path);
    }

    private object? BindPrimitive(Type type, SourceNode node, string path)
    {
        var text = node is ScalarNode { IsPlain: true } s ? s.Value : null;
        if (type == typeof(int))
        {
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) ? i : Mismatch(node, path, "an integer");
        }

        if (type == typeof(double))
        {
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : Mismatch(node, path, "a number");
        }

        return text switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => Mismatch(node, path, "true or false"),
        };
    }

    private object? BindEnum(Type type, SourceNode node, string path)
    {
        var names = Enum.GetValues(type).Cast<object>().ToDictionary(EnumName, v => v, StringComparer.Ordinal);
        if (node is ScalarNode s && names.TryGetValue(s.Value, out var value))
        {
            return value;
        }

        var given = node is ScalarNode scalar ? scalar.Value : "";
        return Fail(node, path, $"unknown value \"{given}\"; expected one of {string.Join(", ", names.Keys)}{Suggestions.DidYouMean(given, names.Keys)}");
    }

    private object? BindList(Type itemType, SourceNode node, string path)
    {
        if (node is not SequenceNode sequence)
        {
            return Mismatch(node, path, "a list");
        }

        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(itemType))!;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var item = Bind(itemType, sequence.Items[i], FieldPath.Index(path, i));
            if (item is not null)
            {
                list.Add(item);
            }
            else if (sequence.Items[i] is ScalarNode { IsNull: true } empty)
            {
                Fail(empty, FieldPath.Index(path, i), "empty list item");
            }
        }

        return list;
    }

    private object? BindDictionary(Type valueType, SourceNode node, string path)
    {
        if (node is not MappingNode mapping)
        {
            return Mismatch(node, path, "a mapping");
        }

        var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        foreach (var (key, valueNode) in mapping.Entries)
        {
            var value = Bind(valueType, valueNode, FieldPath.Field(path, key.Value));
            if (value is not null)
            {
                dictionary[key.Value] = value;
            }
            else if (valueNode is ScalarNode { IsNull: true })
            {
                Fail(valueNode, FieldPath.Field(path, key.Value), "has no value; quote an empty string (\"\") if that is what is meant");
            }
        }

        return dictionary;
    }

    private object? BindObject(Type type, SourceNode node, string path)
    {
        if (node is not MappingNode mapping)
        {
            var hint = type.GetCustomAttribute<ScalarHintAttribute>()?.Hint;
            return hint is not null && node is ScalarNode ? Fail(node, path, hint) : Mismatch(node, path, "a mapping");
        }

        var fields = Fields.GetOrAdd(type, DescribeFields);
        var target = Activator.CreateInstance(type)!;
        var ignored = type.GetCustomAttribute<IgnoreFieldsAttribute>()?.Names ?? [];
        foreach (var (key, valueNode) in mapping.Entries)
        {
            var fieldPath = FieldPath.Field(path, key.Value);
            var field = Array.Find(fields, f => f.Name == key.Value);
            if (field is null)
            {
                if (!ignored.Contains(key.Value))
                {
                    map.Record(fieldPath, key.Position);
                    diagnostics.Add(map.Error(fieldPath, "unknown field" + Suggestions.DidYouMean(key.Value, fields.Select(f => f.Name))));
                }

                continue;
            }

            var value = Bind(field.Property.PropertyType, valueNode, fieldPath);
            if (field.Required && (valueNode is ScalarNode { IsNull: true } || value is ""))
            {
                diagnostics.Add(map.Error(fieldPath, "is required and may not be empty"));
            }
            else if (value is not null)
            {
                field.Property.SetValue(target, value);
            }
        }

        foreach (var missing in fields.Where(f => f.Required && mapping[f.Name] is null))
        {
            diagnostics.Add(map.Error(FieldPath.Field(path, missing.Name), "required field is missing"));
        }

        return target;
    }

    // Values are echoed only where a scalar was expected: a mapping or list in its place may be
    // anything, a secret written inline among them.
    private object? Mismatch(SourceNode node, string path, string expected) =>
        Fail(node, path, $"expected {expected}, found {(expected is "a mapping" or "a list" ? Kind(node) : node.Describe())}");

    private static string Kind(SourceNode node) => node switch
    {
        ScalarNode { IsPlain: false } => "a string",
        ScalarNode => "a scalar",
        _ => node.Describe(),
    };

    private object? Fail(SourceNode node, string path, string message)
    {
        diagnostics.Add(Diagnostic.Error(map.File, node.Position, path, message));
        return null;
    }

    private static Type? ElementType(Type type, Type openInterface)
    {
        var match = type.GetGenericTypeDefinition() == openInterface
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == openInterface);
        return match?.GetGenericArguments()[^1];
    }

    /// <summary>An enum value's name in documents: its <see cref="JsonStringEnumMemberNameAttribute"/>, else camelCase.</summary>
    public static string EnumName(object value)
    {
        var member = value.GetType().GetField(value.ToString()!)!;
        return member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? JsonNamingPolicy.CamelCase.ConvertName(value.ToString()!);
    }

    private static Field[] DescribeFields(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is not null && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => new Field(
                p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                p,
                p.GetCustomAttribute<RequiredMemberAttribute>() is not null))
            .ToArray();

    private sealed record Field(string Name, PropertyInfo Property, bool Required);
}
