namespace CanaryPilot.Service;

/// <summary>
/// Where this replica stands in the election, set by <see cref="LeaderService"/>. It drives rollouts
/// from the moment it takes over (while it rebuilds the schedule, whose jobs fire only once it leads),
/// and says it leads only while its scheduler runs.
/// </summary>
public sealed class Leadership
{
    private int _state;

    /// <summary>The scheduler runs: this replica leads.</summary>
    public bool IsLeading => Volatile.Read(ref _state) == Leading;

    /// <summary>This replica schedules rollouts: it leads, or it is taking over.</summary>
    public bool Drives => Volatile.Read(ref _state) != Standby;

    private const int Standby = 0;
    private const int TakingOver = 1;
    private const int Leading = 2;

    internal void TakeOver() => Volatile.Write(ref _state, TakingOver);

    internal void Lead() => Volatile.Write(ref _state, Leading);

    internal void StandBy() => Volatile.Write(ref _state, Standby);
}
