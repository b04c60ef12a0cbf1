using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace CanaryPilot.Sandbox.Tests.KubeApi;

/// <summary>KubernetesClient's LeaderElector on a Lease in the emulator: one leader, and failover.</summary>
public sealed class LeaderElectionTests : IAsyncLifetime
{
    private KubeApiCluster _kube = null!;

    public async Task InitializeAsync() => _kube = await KubeApiCluster.StartAsync();

    public async Task DisposeAsync() => await _kube.DisposeAsync();

    private sealed class Candidate : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();

        public Candidate(KubeApiCluster kube, string identity)
        {
            Identity = identity;
            Elector = new LeaderElector(new LeaderElectionConfig(new LeaseLock(kube.Client, "kube-system", "canarypilot-controller", identity))
            {
                LeaseDuration = TimeSpan.FromSeconds(2),
                RenewDeadline = TimeSpan.FromSeconds(1),
                RetryPeriod = TimeSpan.FromMilliseconds(200),
            });
            Elector.OnStartedLeading += () => Interlocked.Increment(ref _timesElected);
            Running = Elector.RunAndTryToHoldLeadershipForeverAsync(_stop.Token);
        }

        private int _timesElected;

        public string Identity { get; }

        public LeaderElector Elector { get; }

        public Task Running { get; }

        public int TimesElected => Volatile.Read(ref _timesElected);

        public bool Leads => Elector.IsLeader();

        /// <summary>Stops renewing, as a crashed or partitioned replica would.</summary>
        public void Stop() => _stop.Cancel();

        public void Dispose()
        {
            _stop.Cancel();
            Elector.Dispose();
            _stop.Dispose();
        }
    }

    [Fact]
    public async Task TwoCandidates_ElectExactlyOne_AndTheOtherTakesOverWhenItStopsRenewing()
    {
        using var a = new Candidate(_kube, "replica-a");
        using var b = new Candidate(_kube, "replica-b");

        await Eventually.TrueAsync(() => a.Leads || b.Leads, "a leader to be elected");
        var (leader, follower) = a.Leads ? (a, b) : (b, a);
        Assert.False(follower.Leads);
        Assert.Equal(0, follower.TimesElected);

        leader.Stop();

        await Eventually.TrueAsync(() => follower.Leads, "the follower to take over");
        var lease = await _kube.Client.CoordinationV1.ReadNamespacedLeaseAsync("canarypilot-controller", "kube-system");
        Assert.Equal(follower.Identity, lease.Spec.HolderIdentity);
        Assert.True(lease.Spec.LeaseTransitions >= 1);
    }
}
