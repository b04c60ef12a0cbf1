namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// Faults tests switch on to see how clients cope: failed requests, latency, dropped watches,
/// conflicts. Thread-safe; each fault applies to the requests that match it.
/// </summary>
public sealed class FaultSwitches
{
    private readonly Lock _lock = new();
    private readonly List<FailRule> _failures = [];
    private readonly List<string?> _conflicts = [];
    private TimeSpan _latency;

    /// <summary>Fails the next <paramref name="count"/> requests of a verb (get, list, watch, create, update, patch, delete; null for any) on a plural (null for any) with <paramref name="status"/>.</summary>
    public void FailNext(int count, int status, string? verb = null, string? plural = null)
    {
        lock (_lock)
        {
            _failures.Add(new FailRule(verb, plural, status) { Remaining = count });
        }
    }

    /// <summary>Answers the next write (update or patch) of a plural (null for any) with 409 Conflict, as if someone wrote first.</summary>
    public void ConflictOnNextWrite(string? plural = null)
    {
        lock (_lock)
        {
            _conflicts.Add(plural);
        }
    }

    /// <summary>Delays every request by this much; zero turns it off.</summary>
    public TimeSpan Latency
    {
        get
        {
            lock (_lock)
            {
                return _latency;
            }
        }

        set
        {
            lock (_lock)
            {
                _latency = value;
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _failures.Clear();
            _conflicts.Clear();
            _latency = TimeSpan.Zero;
        }
    }

    internal int? TakeFailure(string verb, string? plural)
    {
        lock (_lock)
        {
            var rule = _failures.Find(r => r.Remaining > 0 && (r.Verb is null || r.Verb == verb) && (r.Plural is null || r.Plural == plural));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            _failures.RemoveAll(r => r.Remaining == 0);
            return rule.Status;
        }
    }

    internal bool TakeConflict(string verb, string? plural)
    {
        if (verb is not ("update" or "patch"))
        {
            return false;
        }

        lock (_lock)
        {
            var index = _conflicts.FindIndex(p => p is null || p == plural);
            if (index < 0)
            {
                return false;
            }

            _conflicts.RemoveAt(index);
            return true;
        }
    }

    private sealed record FailRule(string? Verb, string? Plural, int Status)
    {
        public int Remaining { get; set; }
    }
}
