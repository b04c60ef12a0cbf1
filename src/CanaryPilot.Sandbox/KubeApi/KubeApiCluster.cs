using k8s;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// The emulator as tests use it: started on a free loopback port, with a KubernetesClient and a
/// kubeconfig file pointing at it; disposing stops it and deletes its files.
/// </summary>
public sealed class KubeApiCluster : IAsyncDisposable
{
    private readonly DirectoryInfo _directory;

    private KubeApiCluster(KubeApiServer server, DirectoryInfo directory)
    {
        Server = server;
        _directory = directory;
        KubeconfigPath = Path.Combine(directory.FullName, "kubeconfig");
        server.WriteKubeconfig(KubeconfigPath);
        Configuration = new KubernetesClientConfiguration { Host = server.Address.ToString() };
        Client = new Kubernetes(Configuration);
    }

    public KubeApiServer Server { get; }

    public KubernetesClientConfiguration Configuration { get; }

    public Kubernetes Client { get; }

    public string KubeconfigPath { get; }

    /// <summary>A private directory for the test's files, deleted with the cluster.</summary>
    public string Directory => _directory.FullName;

    public static async Task<KubeApiCluster> StartAsync(KubeApiOptions? options = null, CancellationToken cancellationToken = default)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("canarypilot-kubeapi-");
        var server = await KubeApiServer.StartAsync(options, cancellationToken: cancellationToken);
        return new KubeApiCluster(server, directory);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        _directory.Delete(recursive: true);
    }
}
