using System.Text;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;
using CanaryPilot.Sandbox.KubeApi;
using k8s;
using k8s.Models;

namespace CanaryPilot.Kubernetes.Tests;

public sealed class KubernetesSecretResolverTests : IAsyncLifetime
{
    private KubeApiCluster _cluster = null!;
    private KubernetesSecretResolver _resolver = null!;

    public async Task InitializeAsync()
    {
        _cluster = await KubeApiCluster.StartAsync();
        await _cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret { Metadata = new V1ObjectMeta { Name = "slack" }, Data = new Dictionary<string, byte[]> { ["url"] = Encoding.UTF8.GetBytes("https://hooks.example/T/B/secret-part\n") } },
            "default");
        _resolver = new KubernetesSecretResolver(_cluster.Client, KubernetesResilience.Create(RouterHarness.Options, TimeProvider.System));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static SecretSource Ref(string name, string key) => new() { SecretKeyRef = new SecretKeyRef { Name = name, Key = key } };

    [Fact]
    public async Task SecretKeyRef_ResolvesToTheDecodedValue() =>
        Assert.Equal("https://hooks.example/T/B/secret-part", await _resolver.ResolveAsync(Ref("slack", "url"), "default", CancellationToken.None));

    [Theory]
    [InlineData("slack", "token", "Secret default/slack has no key \"token\"")]
    [InlineData("nope", "url", "Secret default/nope cannot be read (404 NotFound)")]
    public async Task Unreadable_SaysWhereItLookedAndNeverTheValue(string name, string key, string expected)
    {
        var failure = await Assert.ThrowsAsync<SecretUnavailableException>(async () => await _resolver.ResolveAsync(Ref(name, key), "default", CancellationToken.None));

        Assert.Equal(expected, failure.Message);
    }
}
