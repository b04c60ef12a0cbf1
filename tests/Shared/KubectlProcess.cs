using System.Diagnostics;
using System.Text;

namespace CanaryPilot.Testing;

/// <summary>Runs the real kubectl binary against a kubeconfig.</summary>
internal static class KubectlProcess
{
    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public Result Succeeded()
        {
            Assert.True(ExitCode == 0, $"kubectl failed ({ExitCode}): {Error}");
            return this;
        }
    }

    public static ProcessStartInfo StartInfo(string kubeconfig, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(kubeconfig);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // kubectl caches discovery per server under the home directory; keep each run to itself.
        start.Environment["KUBECACHEDIR"] = Path.Combine(Path.GetDirectoryName(kubeconfig)!, "kube-cache");
        return start;
    }

    public static Task<Result> RunAsync(string kubeconfig, params string[] args) => RunWithInputAsync(kubeconfig, "", args);

    /// <summary>Runs kubectl with <paramref name="stdin"/> as its input (for <c>-f -</c>).</summary>
    public static async Task<Result> RunWithInputAsync(string kubeconfig, string stdin, params string[] args)
    {
        using var process = Process.Start(StartInfo(kubeconfig, args))!;
        await process.StandardInput.WriteAsync(new StringBuilder(stdin));
        process.StandardInput.Close();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
        var error = process.StandardError.ReadToEndAsync(deadline.Token);
        await process.WaitForExitAsync(deadline.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
