using System.Diagnostics;

namespace CanaryPilot.Tests.Commands;

/// <summary><c>canarypilot sandbox</c> as a person runs it: a real process, kubectl against it, SIGTERM to stop.</summary>
public sealed class SandboxCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("canarypilot-sandbox-cli-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Sandbox_ServesKubectlAndSavesItsStateOnSigterm()
    {
        var kubeconfig = Path.Combine(_directory.FullName, "kubeconfig");
        var state = Path.Combine(_directory.FullName, "state.json");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "canarypilot.dll"), "sandbox", "--kubeconfig", kubeconfig, "--state", state])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var sandbox = Process.Start(start)!;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var firstLine = await sandbox.StandardOutput.ReadLineAsync(deadline.Token);
            Assert.StartsWith("Kubernetes API emulator listening on http://127.0.0.1:", firstLine, StringComparison.Ordinal);
            Assert.True(File.Exists(kubeconfig));

            var created = await KubectlAsync(kubeconfig, "create", "namespace", "bookinfo");
            Assert.Equal("namespace/bookinfo created\n", created);

            using var term = Process.Start("kill", ["-TERM", sandbox.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            await term.WaitForExitAsync(deadline.Token);
            await sandbox.WaitForExitAsync(deadline.Token);

            Assert.Equal(0, sandbox.ExitCode);
            Assert.Contains("\"bookinfo\"", await File.ReadAllTextAsync(state, deadline.Token), StringComparison.Ordinal);
        }
        finally
        {
            if (!sandbox.HasExited)
            {
                sandbox.Kill();
            }
        }
    }

    private static async Task<string> KubectlAsync(string kubeconfig, params string[] args)
    {
        var start = new ProcessStartInfo("kubectl", ["--kubeconfig", kubeconfig, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetDirectoryName(kubeconfig)!, "kube-cache");
        using var kubectl = Process.Start(start)!;
        var output = await kubectl.StandardOutput.ReadToEndAsync();
        var error = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, error);
        return output;
    }
}
