using CanaryPilot.Core.Binding;
using CanaryPilot.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CanaryPilot.Core.Documents;

/// <summary>
/// Reads YAML (and JSON, which is YAML's flow style) into <see cref="SourceNode"/> trees that keep
/// positions. Anchors and aliases are shared, not copied, and counted at their expanded size, so
/// an alias bomb is refused instead of expanded. Duplicate keys are errors, as in kubectl.
/// </summary>
public sealed class YamlDocumentReader(ReaderLimits limits)
{
    private const string MergeKey = "<<";

    public IReadOnlyList<SourceNode> Read(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var parser = new Parser(scanner);
        var state = new ReadState(parser, limits);
        var documents = new List<SourceNode>();
        try
        {
            state.Expect<StreamStart>();
            while (!state.TryConsume<StreamEnd>())
            {
                state.Expect<DocumentStart>();
                state.Anchors.Clear();
                var root = state.ReadNode(0, "");
                state.Expect<DocumentEnd>();
                if (root is not ScalarNode { IsNull: true })
                {
                    documents.Add(root);
                }
            }
        }
        catch (YamlException e)
        {
            // Some syntax errors (a tab as indentation) come without a mark; the scanner stopped where the error is.
            var at = e.Start.Equals(Mark.Empty) ? scanner.CurrentPosition : e.Start;
            throw new InputException(ToPosition(at), "invalid YAML: " + OneLine(e.Message));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unclosed flow collections.
            throw new InputException(state.LastPosition, "invalid YAML: unexpected content after this point (an unclosed [ or {?)");
        }

        return documents;
    }

    private static SourcePosition ToPosition(Mark mark) => new((int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private static string OneLine(string message)
    {
        var text = message.ReplaceLineEndings(" ").Trim();
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is ours to print.
        var cut = text.LastIndexOf("): ", StringComparison.Ordinal);
        return text.StartsWith("(Line:", StringComparison.Ordinal) && cut >= 0 ? text[(cut + 3)..] : text;
    }

    private sealed class ReadState(Parser parser, ReaderLimits limits)
    {
        private int _nodes;

        public Dictionary<string, (SourceNode Node, int Size)> Anchors { get; } = new(StringComparer.Ordinal);

        public void Expect<T>() where T : ParsingEvent
        {
            if (!TryConsume<T>())
            {
                throw new InputException(Position(), $"invalid YAML: unexpected {parser.Current?.GetType().Name}");
            }
        }

        public bool TryConsume<T>() where T : ParsingEvent
        {
            if (parser.Current is null && !parser.MoveNext())
            {
                return false;
            }

            if (parser.Current is T)
            {
                parser.MoveNext();
                return true;
            }

            return false;
        }

        private SourcePosition Position() => parser.Current is { } e ? ToPosition(e.Start) : new SourcePosition(1, 1);

        /// <summary>Where the last event read began; the best position to blame when the parser fails.</summary>
        public SourcePosition LastPosition { get; private set; } = new(1, 1);

        private ParsingEvent Next()
        {
            if (parser.Current is null && !parser.MoveNext())
            {
                throw new InputException(null, "invalid YAML: unexpected end of file");
            }

            var current = parser.Current!;
            LastPosition = ToPosition(current.Start);
            parser.MoveNext();
            return current;
        }

        private void Count(int nodes, SourcePosition at)
        {
            _nodes += nodes;
            if (_nodes > limits.MaxNodes)
            {
                throw new InputException(at, $"document expands to more than {limits.MaxNodes:N0} nodes (aliases repeated without bound?)");
            }
        }

        public SourceNode ReadNode(int depth, string path)
        {
            var start = _nodes;
            var ev = Next();
            var at = ToPosition(ev.Start);
            if (ev is AnchorAlias alias)
            {
                if (!Anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new InputException(at, $"unknown alias *{alias.Value.Value}");
                }

                Count(anchored.Size, at);
                return anchored.Node;
            }

            if (depth >= limits.MaxDepth)
            {
                throw new InputException(at, $"nesting deeper than {limits.MaxDepth} levels");
            }

            Count(1, at);
            var (node, anchor) = ev switch
            {
                Scalar s => ((SourceNode)new ScalarNode(at, s.Value, s.Style == ScalarStyle.Plain), s.Anchor),
                SequenceStart q => (ReadSequence(at, depth, path), q.Anchor),
                MappingStart m => (ReadMapping(at, depth, path), m.Anchor),
                _ => throw new InputException(at, $"invalid YAML: unexpected {ev.GetType().Name}"),
            };
            if (!anchor.IsEmpty)
            {
                Anchors[anchor.Value] = (node, _nodes - start);
            }

            return node;
        }

        private SequenceNode ReadSequence(SourcePosition at, int depth, string path)
        {
            var items = new List<SourceNode>();
            while (!TryConsume<SequenceEnd>())
            {
                items.Add(ReadNode(depth + 1, FieldPath.Index(path, items.Count)));
            }

            return new SequenceNode(at, items);
        }

        private MappingNode ReadMapping(SourcePosition at, int depth, string path)
        {
            var entries = new List<KeyValuePair<ScalarNode, SourceNode>>();
            var merged = new List<SourceNode>();
            var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            while (!TryConsume<MappingEnd>())
            {
                var keyNode = ReadNode(depth + 1, path);
                if (keyNode is not ScalarNode key)
                {
                    throw new InputException(keyNode.Position, "mapping keys must be strings");
                }

                var value = ReadNode(depth + 1, FieldPath.Field(path, key.Value));
                if (key is { IsPlain: true, Value: MergeKey })
                {
                    merged.Add(value);
                    continue;
                }

                if (!seen.TryAdd(key.Value, key.Position))
                {
                    throw new InputException(key.Position, $"{FieldPath.Field(path, key.Value)}: duplicate key (first at {seen[key.Value]})");
                }

                entries.Add(new(key, value));
            }

            foreach (var source in merged.SelectMany(v => v is SequenceNode s ? s.Items : [v]))
            {
                if (source is not MappingNode mapping)
                {
                    throw new InputException(source.Position, "a merge key (<<) takes a mapping or a list of mappings");
                }

                entries.AddRange(mapping.Entries.Where(e => seen.TryAdd(e.Key.Value, e.Key.Position)));
            }

            return new MappingNode(at, entries);
        }
    }
}
