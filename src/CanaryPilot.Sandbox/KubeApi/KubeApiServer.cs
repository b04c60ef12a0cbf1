using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi.Http;
using CanaryPilot.Sandbox.KubeApi.Storage;
using Microsoft.AspNetCore.Builder;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>
/// The Kubernetes API emulator: an HTTP server on a loopback port that answers like kube-apiserver,
/// for KubernetesClient and kubectl. Start it, point a client at <see cref="Address"/> (or at the
/// kubeconfig it writes), and dispose it to stop.
/// </summary>
public sealed class KubeApiServer : IAsyncDisposable
{
    private static readonly string[] InitialNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

    private readonly WebApplication _app;
    private readonly KubeApiOptions _options;

    private KubeApiServer(WebApplication app, KubeApiOptions options, ResourceCatalog catalog, ObjectStore store, FaultSwitches faults, AuditTrail audit)
    {
        _app = app;
        _options = options;
        Catalog = catalog;
        Store = store;
        Faults = faults;
        Audit = audit;
    }

    /// <summary>The base URL, <c>http://127.0.0.1:PORT</c>.</summary>
    public required Uri Address { get; init; }

    public ResourceCatalog Catalog { get; }

    public ObjectStore Store { get; }

    public FaultSwitches Faults { get; }

    /// <summary>The requests answered, when <see cref="KubeApiOptions.Audit"/> is on.</summary>
    public AuditTrail Audit { get; }

    public static async Task<KubeApiServer> StartAsync(KubeApiOptions? options = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        options ??= new KubeApiOptions();
        time ??= TimeProvider.System;
        var catalog = new ResourceCatalog();
        var store = new ObjectStore(time);
        var faults = new FaultSwitches();
        var audit = new AuditTrail(options.Audit);
        Wire(catalog, store, time);

        var handler = new KubeApiHandler(catalog, store, faults, audit, options, time);
        if (options.StateFile is { } stateFile && File.Exists(stateFile))
        {
            store.Load(stateFile, key => catalog.All().FirstOrDefault(t => t.StorageKey == key));
        }

        foreach (var ns in InitialNamespaces.Where(ns => store.Get(catalog.Find("", "v1", "namespaces")!, null, ns) is null))
        {
            store.Create(catalog.Find("", "v1", "namespaces")!, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, dryRun: false);
        }

        var (app, address) = await LoopbackServer.StartAsync(
            handler.HandleAsync, options.Port, kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes + 1, cancellationToken: cancellationToken);
        return new KubeApiServer(app, options, catalog, store, faults, audit) { Address = address };
    }

    /// <summary>Writes a kubeconfig whose current context is this server, for kubectl and KubernetesClient.</summary>
    public void WriteKubeconfig(string path, string @namespace = "default")
    {
        var text = $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: canarypilot-sandbox
                cluster:
                  server: {Address.ToString().TrimEnd('/')}
            users:
              - name: canarypilot-sandbox
                user:
                  token: sandbox
            contexts:
              - name: canarypilot-sandbox
                context:
                  cluster: canarypilot-sandbox
                  user: canarypilot-sandbox
                  namespace: {@namespace}
            current-context: canarypilot-sandbox

            """;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text);
    }

    public async ValueTask DisposeAsync()
    {
        Store.CloseWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_options.StateFile is { } stateFile)
        {
            Store.Save(stateFile);
        }
    }

    /// <summary>What the real server's controllers do on their own: serve CRDs, delete what a namespace or CRD took with it.</summary>
    private static void Wire(ResourceCatalog catalog, ObjectStore store, TimeProvider time)
    {
        store.Admission = (type, item, current) =>
        {
            if (CustomResourceDefinitions.Is(type))
            {
                CustomResourceDefinitions.Served(item);
                if (current is null)
                {
                    item["status"] = CustomResourceDefinitions.EstablishedStatus(item, time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        };
        store.Changed += (type, before, after) =>
        {
            if (CustomResourceDefinitions.Is(type))
            {
                var name = (after ?? before)!["metadata"]!["name"]!.GetValue<string>();
                if (after is not null)
                {
                    catalog.Register(name, CustomResourceDefinitions.Served(after));
                    return;
                }

                var served = CustomResourceDefinitions.Served(before!);
                store.Cascade((t, _) => t.StorageKey == served[0].StorageKey, served);
                catalog.Unregister(name);
            }
            else if (type is { Group: "", Plural: "namespaces" } && after is null)
            {
                var ns = before!["metadata"]!["name"]!.GetValue<string>();
                store.Cascade((t, item) => t.Namespaced && item["metadata"]?["namespace"]?.GetValue<string>() == ns, catalog.All());
            }
        };
    }
}
