using CanaryPilot.Core.Diagnostics;

namespace CanaryPilot.Core.Documents;

/// <summary>
/// A node of a parsed YAML or JSON document that remembers where it came from, so every
/// finding can point at a line and column.
/// </summary>
public abstract class SourceNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    /// <summary>What this node is, for messages such as "expected a string, found a mapping".</summary>
    public abstract string Describe();
}

/// <summary>A scalar: its text, and whether it was written without quotes.</summary>
public sealed class ScalarNode(SourcePosition position, string value, bool isPlain) : SourceNode(position)
{
    public string Value { get; } = value;

    /// <summary>True when written without quotes, so <c>5</c> is a number and <c>"5"</c> a string.</summary>
    public bool IsPlain { get; } = isPlain;

    /// <summary>A YAML null: <c>~</c>, <c>null</c> or nothing at all.</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Describe() => IsNull ? "null" : IsPlain ? $"{Value}" : $"\"{Value}\"";
}

/// <summary>A mapping, with its keys in the order they were written.</summary>
public sealed class MappingNode(SourcePosition position, IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> entries)
    : SourceNode(position)
{
    public IReadOnlyList<KeyValuePair<ScalarNode, SourceNode>> Entries { get; } = entries;

    public SourceNode? this[string key]
    {
        get
        {
            foreach (var (k, v) in Entries)
            {
                if (k.Value == key)
                {
                    return v;
                }
            }

            return null;
        }
    }

    /// <summary>The value of <paramref name="key"/> when it is a non-null scalar.</summary>
    public string? Scalar(string key) => this[key] is ScalarNode { IsNull: false } s ? s.Value : null;

    public MappingNode? Mapping(string key) => this[key] as MappingNode;

    public IReadOnlyList<SourceNode> Sequence(string key) => this[key] is SequenceNode s ? s.Items : [];

    public override string Describe() => "a mapping";
}

public sealed class SequenceNode(SourcePosition position, IReadOnlyList<SourceNode> items) : SourceNode(position)
{
    public IReadOnlyList<SourceNode> Items { get; } = items;

    public override string Describe() => "a list";
}
