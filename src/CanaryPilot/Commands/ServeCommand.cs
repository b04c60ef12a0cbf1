using System.CommandLine;
using CanaryPilot.Cli;
using CanaryPilot.Kubernetes;
using CanaryPilot.Service;
using k8s;
using k8s.Exceptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace CanaryPilot.Commands;

/// <summary><c>canarypilot serve</c>: the in-cluster controller with its HTTP API, until SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "A kubeconfig to use; the in-cluster service account by default." };
        var port = new Option<int?>("--port") { Description = "The HTTP port of the API, /healthz, /readyz and /metrics (8080)." };
        var tokens = new Option<string?>("--tokens-file") { Description = "A file of token:role lines (roles viewer and operator)." };
        var namespaces = new Option<string[]>("--namespaces") { Description = "Drive RolloutPlans of these namespaces only.", AllowMultipleArgumentsPerToken = true };
        var prometheus = new Option<string?>("--prometheus") { Description = "Overrides every plan's Prometheus address." };
        var command = new Command("serve", "Run the controller: watch RolloutPlans, drive them (on the elected leader), serve the HTTP API, /healthz, /readyz and /metrics. Options also come from appsettings.json and CANARYPILOT__ environment variables.")
        {
            kubeconfig, port, tokens, namespaces, prometheus,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var options = ServiceHost.FromConfiguration();
            options.Kubeconfig = result.GetValue(kubeconfig) ?? options.Kubeconfig;
            options.Port = result.GetValue(port) ?? options.Port;
            options.TokensFile = result.GetValue(tokens) ?? options.TokensFile;
            options.Prometheus = result.GetValue(prometheus) ?? options.Prometheus;
            foreach (var ns in result.GetValue(namespaces) ?? [])
            {
                options.Namespaces.Add(ns);
            }

            return RunAsync(options, console, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(ServiceOptions options, CliConsole console, CancellationToken cancellationToken)
    {
        KubernetesClientConfiguration cluster;
        TokenStore tokens;
        try
        {
            cluster = options.Kubeconfig is { } path ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path) : KubernetesClientConfiguration.InClusterConfig();
            using var client = KubernetesClients.Create(cluster, "serve");
            tokens = await ServiceHost.TokensAsync(options, client, cancellationToken);
        }
        catch (Exception e) when (e is KubeConfigException or IOException or FormatException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"canarypilot: {e.Message.ReplaceLineEndings(" ")}");
            return ExitCodes.InvalidInput;
        }

        try
        {
            await using var app = ServiceHost.Build(options, cluster, tokens);
            await app.StartAsync(cancellationToken);
            await app.WaitForShutdownAsync(cancellationToken);
            return ExitCodes.Success;
        }
        catch (System.ComponentModel.DataAnnotations.ValidationException e)
        {
            console.Error.WriteLine($"canarypilot: invalid setting: {e.Message}");
            return ExitCodes.InvalidInput;
        }
    }
}
