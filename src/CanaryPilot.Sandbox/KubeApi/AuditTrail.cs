using System.Collections.Concurrent;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// Every resource request the emulator answered, as kube-apiserver's audit log records it: the
/// verb, the resource, the namespace and name, and who asked (the user agent). Kept only when
/// <see cref="KubeApiOptions.Audit"/> is on, for tests that check what a client did.
/// </summary>
public sealed class AuditTrail
{
    private readonly ConcurrentQueue<AuditRecord> _records = new();

    internal AuditTrail(bool enabled) => Enabled = enabled;

    public bool Enabled { get; }

    public IReadOnlyList<AuditRecord> Records => [.. _records];

    internal void Record(AuditRecord record)
    {
        if (Enabled)
        {
            _records.Enqueue(record);
        }
    }
}

/// <summary>
/// One request, in the terms RBAC authorizes: <paramref name="Verb"/> is <c>get</c>, <c>list</c>,
/// <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c> or <c>deletecollection</c>.
/// </summary>
public sealed record AuditRecord(string Verb, string Group, string Resource, string? Subresource, string? Namespace, string? Name, string UserAgent);
