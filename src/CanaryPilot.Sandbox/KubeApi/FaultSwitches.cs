namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// Faults tests switch on to see how clients cope: failed requests, latency, dropped watches,
/// conflicts — one at a time, or drawn at random for every request. Thread-safe; each fault applies
/// to the requests that match it.
/// </summary>
public sealed class FaultSwitches
{
    private readonly Lock _lock = new();
    private readonly List<FailRule> _failures = [];
    private readonly List<string?> _conflicts = [];
    private TimeSpan _latency;
    private RandomFaults? _random;
    private string? _forUserAgent;
    private Random _draw = new(0);
    private long _conflictsInjected;
    private long _failuresInjected;
    private long _watchesDropped;

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

    /// <summary>
    /// Only clients whose User-Agent contains this get the latency and the random faults (every client when
    /// null), so that a test's own observers see the cluster as it is.
    /// </summary>
    public string? ForUserAgent
    {
        get
        {
            lock (_lock)
            {
                return _forUserAgent;
            }
        }

        set
        {
            lock (_lock)
            {
                _forUserAgent = value;
            }
        }
    }

    /// <summary>Faults drawn at random for every request, from <see cref="RandomFaults.Seed"/>; null turns them off.</summary>
    public RandomFaults? Random
    {
        get
        {
            lock (_lock)
            {
                return _random;
            }
        }

        set
        {
            lock (_lock)
            {
                _random = value;
                _draw = new Random(value?.Seed ?? 0);
            }
        }
    }

    /// <summary>The random faults injected so far: writes answered 409, requests answered 5xx, watches dropped.</summary>
    public (long Conflicts, long Failures, long WatchesDropped) Injected =>
        (Interlocked.Read(ref _conflictsInjected), Interlocked.Read(ref _failuresInjected), Interlocked.Read(ref _watchesDropped));

    public void Clear()
    {
        lock (_lock)
        {
            _failures.Clear();
            _conflicts.Clear();
            _latency = TimeSpan.Zero;
            _random = null;
            _forUserAgent = null;
        }
    }

    internal bool Applies(string userAgent)
    {
        var only = ForUserAgent;
        return only is null || userAgent.Contains(only, StringComparison.Ordinal);
    }

    /// <summary>A random 5xx for this request, or null.</summary>
    internal int? DrawFailure(string userAgent)
    {
        lock (_lock)
        {
            if (_random is not { ServerErrors: > 0 } random || !Applies(userAgent) || _draw.NextDouble() >= random.ServerErrors)
            {
                return null;
            }

            _failuresInjected++;
            return random.ServerErrorStatus;
        }
    }

    /// <summary>Whether this write is answered 409 at random.</summary>
    internal bool DrawConflict(string verb, string userAgent)
    {
        lock (_lock)
        {
            if (verb is not ("update" or "patch") || _random is not { WriteConflicts: > 0 } random || !Applies(userAgent) || _draw.NextDouble() >= random.WriteConflicts)
            {
                return false;
            }

            _conflictsInjected++;
            return true;
        }
    }

    /// <summary>How long this watch may stay open before it is dropped, or null to leave it be.</summary>
    internal TimeSpan? DrawWatchLifetime(string userAgent)
    {
        lock (_lock)
        {
            return _random is { WatchLifetime: { } lifetime } && Applies(userAgent) ? lifetime * (0.5 + _draw.NextDouble()) : null;
        }
    }

    internal void WatchDropped() => Interlocked.Increment(ref _watchesDropped);

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

/// <summary>Faults drawn independently for each request.</summary>
public sealed record RandomFaults
{
    /// <summary>The share of writes (update, patch) answered 409 Conflict, as if someone wrote first.</summary>
    public double WriteConflicts { get; init; }

    /// <summary>The share of requests answered with <see cref="ServerErrorStatus"/>.</summary>
    public double ServerErrors { get; init; }

    public int ServerErrorStatus { get; init; } = 503;

    /// <summary>Watches are dropped (the connection reset) after half to one and a half times this; null leaves them open.</summary>
    public TimeSpan? WatchLifetime { get; init; }

    public int Seed { get; init; }
}
