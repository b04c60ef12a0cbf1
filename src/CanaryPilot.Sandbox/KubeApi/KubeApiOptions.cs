namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>How the emulator listens and behaves.</summary>
public sealed record KubeApiOptions
{
    /// <summary>The loopback port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Largest request body accepted, as the real server's 3 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 3 * 1024 * 1024;

    /// <summary>How often a watch that allows bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A file the state is loaded from at start and saved to at stop; none when null.</summary>
    public string? StateFile { get; init; }

    /// <summary>Record every resource request in <see cref="KubeApiServer.Audit"/> (tests only: it grows without bound).</summary>
    public bool Audit { get; init; }
}
