using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace CanaryPilot.Core.Import;

/// <summary>A YAML mapping whose keys keep the order they were added in, as a person would write the document.</summary>
public sealed class YamlMap : OrderedDictionary<string, object?>
{
    /// <summary>Adds <paramref name="key"/> unless <paramref name="value"/> is null or an empty list or mapping.</summary>
    public YamlMap Set(string key, object? value)
    {
        if (value is not null and not System.Collections.ICollection { Count: 0 })
        {
            this[key] = value;
        }

        return this;
    }

    /// <summary>The mapping at <paramref name="key"/>, added when missing.</summary>
    public YamlMap Child(string key)
    {
        if (TryGetValue(key, out var value) && value is YamlMap child)
        {
            return child;
        }

        child = [];
        this[key] = child;
        return child;
    }

    /// <summary>The document as YAML: block style, queries spread over lines as literal blocks.</summary>
    public string ToYaml() => Serializer.Serialize(this);

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new LiteralMultilineStrings(next))
        .Build();

    private sealed class LiteralMultilineStrings(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
