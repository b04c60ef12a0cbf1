using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace CanaryPilot.Sandbox.KubeApi.Storage;

/// <summary>One open watch: the changes of one resource (optionally one namespace) that pass its filter.</summary>
public sealed class Watcher : IDisposable
{
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Action<Watcher> _onDispose;

    internal Watcher(ResourceType type, string? @namespace, Func<JsonObject, bool> filter, Action<Watcher> onDispose)
    {
        Type = type;
        Namespace = @namespace;
        Filter = filter;
        _onDispose = onDispose;
    }

    public ResourceType Type { get; }

    public string? Namespace { get; }

    internal Func<JsonObject, bool> Filter { get; }

    public ChannelReader<WatchEvent> Events => _events.Reader;

    /// <summary>Turns a stored change into what this watch sees: a change into or out of its filter is an ADDED or DELETED.</summary>
    internal void Offer(StoredChange change)
    {
        if (change.StorageKey != Type.StorageKey || (Namespace is not null && change.Namespace != Namespace))
        {
            return;
        }

        var before = change.Before is not null && Filter(change.Before);
        var after = change.After is not null && Filter(change.After);
        var type = (before, after) switch
        {
            (false, true) => "ADDED",
            (true, true) => "MODIFIED",
            (true, false) => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            Send(type, (change.After ?? change.Before)!);
        }
    }

    internal void Send(string type, JsonObject item)
    {
        var copy = (JsonObject)item.DeepClone();
        if (type is not ("BOOKMARK" or "ERROR"))
        {
            copy["apiVersion"] = Type.ApiVersion;
        }

        _events.Writer.TryWrite(new WatchEvent(type, copy));
    }

    /// <summary>Ends the stream, as a dropped connection or an expired timeout would.</summary>
    internal void Close() => _events.Writer.TryComplete();

    public void Dispose()
    {
        Close();
        _onDispose(this);
    }
}
