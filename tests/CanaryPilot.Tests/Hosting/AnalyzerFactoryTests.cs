using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Hosting;
using CanaryPilot.Testing.Engine;
using k8s;

namespace CanaryPilot.Tests.Hosting;

/// <summary>Rollouts that reach Prometheus alike share one client; thousands of rollouts must not mean thousands of connections.</summary>
public sealed class AnalyzerFactoryTests
{
    [Fact]
    public async Task RolloutsWithTheSameConnection_ShareOne_AndADifferentHeaderGetsItsOwn()
    {
        await using var prometheus = await Receiver.StartAsync();
        var shared = TestPlans.Reviews(analysis: $"    prometheus: {{address: \"{prometheus.Address}\"}}");
        var tenant = TestPlans.Reviews(analysis: $"    prometheus: {{address: \"{prometheus.Address}\", headers: [{{name: X-Scope-OrgID, value: team-b}}]}}");
        using var factory = new AnalyzerFactory(new EngineSettings { Cluster = new KubernetesClientConfiguration { Host = "http://127.0.0.1:9" } }, new NoSecrets());
        var at = new DateTimeOffset(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);

        // The connections one rollout's analysis used (its queries go out at once, so maybe several).
        async Task<HashSet<string>> ConnectionsOfAsync(string name, RolloutPlan plan, int second)
        {
            var before = prometheus.Count;
            var analyzer = await factory.ForAsync(new StoredRollout("bookinfo", name, plan, [], new RolloutStatus(), 1, "1"), CancellationToken.None);
            await analyzer.AnalyzeAsync(plan, at.AddSeconds(second), CancellationToken.None);
            return [.. prometheus.Requests.Skip(before).Select(r => r.ConnectionId)];
        }

        var first = await ConnectionsOfAsync("reviews-a", shared, 0);
        var second = await ConnectionsOfAsync("reviews-b", shared, 1);
        var other = await ConnectionsOfAsync("reviews-c", tenant, 2);

        // The second rollout reuses the first one's idle connections (its queries going out at once may
        // open more); the other tenant's client has a pool of its own.
        Assert.NotEmpty(first.Intersect(second));
        Assert.Empty(first.Union(second).Intersect(other));
    }

    private sealed class NoSecrets : ISecretResolver
    {
        public ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the plans name no secrets");
    }
}
