using System.Text;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Service;
using k8s;
using k8s.Models;

namespace CanaryPilot.Tests.Service;

/// <summary>The API's tokens read from a Kubernetes Secret (<c>--tokens-secret ns/name</c>), through KubernetesClient.</summary>
public sealed class TokenSecretTests
{
    private const string OperatorToken = "secret-operator-77d1";

    private static async Task<KubeApiCluster> ClusterWithSecretAsync(string key)
    {
        var cluster = await KubeApiCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "canarypilot" } });
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(
            new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "api-tokens" },
                Data = new Dictionary<string, byte[]> { [key] = Encoding.UTF8.GetBytes($"# CI\n{OperatorToken}:operator\nsecret-viewer-02ab:viewer\n") },
            },
            "canarypilot");
        return cluster;
    }

    [Fact]
    public async Task TokensFromASecret_AuthenticateWithTheirRoles()
    {
        await using var cluster = await ClusterWithSecretAsync("tokens");

        var tokens = await ServiceHost.TokensAsync(new ServiceOptions { TokensSecret = "canarypilot/api-tokens" }, cluster.Client, CancellationToken.None);

        Assert.Equal(2, tokens.Count);
        Assert.Equal(ApiRole.Operator, tokens.Authenticate($"Bearer {OperatorToken}"));
        Assert.Equal(ApiRole.Viewer, tokens.Authenticate("Bearer secret-viewer-02ab"));
        Assert.Null(tokens.Authenticate("Bearer secret-operator-77d2"));
    }

    [Fact]
    public async Task ASecretWithoutTheTokensKey_IsRefused_WithoutShowingItsContent()
    {
        await using var cluster = await ClusterWithSecretAsync("api-tokens");

        var error = await Assert.ThrowsAsync<FormatException>(() => ServiceHost.TokensAsync(new ServiceOptions { TokensSecret = "canarypilot/api-tokens" }, cluster.Client, CancellationToken.None));

        Assert.Contains("canarypilot/api-tokens", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OperatorToken, error.Message, StringComparison.Ordinal);
    }
}
