using System.CommandLine;
using System.Runtime.InteropServices;
using CanaryPilot.Cli;
using CanaryPilot.Sandbox.KubeApi;

namespace CanaryPilot.Commands;

/// <summary>
/// <c>canarypilot sandbox</c>: the Kubernetes API emulator in the foreground, with a kubeconfig for
/// kubectl, until SIGINT or SIGTERM.
/// </summary>
internal static class SandboxCommand
{
    public static Command Create(CliConsole console)
    {
        var port = new Option<int>("--port") { Description = "Loopback port to listen on; 0 picks a free one.", DefaultValueFactory = _ => 0 };
        var kubeconfig = new Option<string>("--kubeconfig")
        {
            Description = "Where to write the kubeconfig once the emulator answers.",
            DefaultValueFactory = _ => "sandbox.kubeconfig",
        };
        var state = new Option<string?>("--state") { Description = "Load the cluster's objects from this file at start, save them to it at stop." };
        var command = new Command("sandbox", "Run the local Kubernetes API emulator (with Istio's networking kinds) for kubectl and CanaryPilot, until interrupted.")
        {
            port, kubeconfig, state,
        };
        command.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(port), result.GetValue(kubeconfig)!, result.GetValue(state), console, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(int port, string kubeconfig, string? state, CliConsole console, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        KubeApiServer server;
        try
        {
            server = await KubeApiServer.StartAsync(new KubeApiOptions { Port = port, StateFile = state }, cancellationToken: stop.Token);
        }
        catch (IOException e)
        {
            console.Error.WriteLine($"canarypilot: cannot listen on 127.0.0.1:{port}: {e.Message}");
            return ExitCodes.InfrastructureFailure;
        }

        await using (server)
        {
            server.WriteKubeconfig(kubeconfig);
            console.Out.WriteLine($"Kubernetes API emulator listening on {server.Address}");
            console.Out.WriteLine($"kubeconfig: {Path.GetFullPath(kubeconfig)}   (try: kubectl --kubeconfig {kubeconfig} get namespaces)");
            await console.Out.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                console.Out.WriteLine(state is null ? "stopped" : $"stopped; state saved to {state}");
            }
        }

        return ExitCodes.Success;
    }
}
