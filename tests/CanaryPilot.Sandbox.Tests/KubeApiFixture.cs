using CanaryPilot.Sandbox.KubeApi;
using k8s;

namespace CanaryPilot.Sandbox.Tests;

/// <summary>A fresh emulator on a free loopback port, a client and a kubeconfig for it; stopped and cleaned up on dispose.</summary>
public sealed class KubeApiFixture : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;

    private KubeApiFixture(KubeApiServer server, DirectoryInfo directory)
    {
        Server = server;
        _directory = directory;
        KubeconfigPath = Path.Combine(directory.FullName, "kubeconfig");
        server.WriteKubeconfig(KubeconfigPath);
        Client = new Kubernetes(new KubernetesClientConfiguration { Host = server.Address.ToString() });
    }

    public KubeApiServer Server { get; }

    public Kubernetes Client { get; }

    public string KubeconfigPath { get; }

    public string Directory => _directory.FullName;

    public static async Task<KubeApiFixture> StartAsync(KubeApiOptions? options = null)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("canarypilot-kubeapi-");
        var server = await KubeApiServer.StartAsync(options);
        return new KubeApiFixture(server, directory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
