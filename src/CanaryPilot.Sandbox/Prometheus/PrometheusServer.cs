using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace CanaryPilot.Sandbox.Prometheus;

/// <summary>
/// A real Prometheus server for the sandbox and the tests: started on a free loopback port with a
/// temporary configuration and data directory, scraping the given targets every second. Dispose stops
/// it (SIGTERM, then kill) and deletes its files.
/// </summary>
public sealed partial class PrometheusServer : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int StartAttempts = 3;

    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _log;
    private bool _disposed;

    private PrometheusServer(Process process, DirectoryInfo directory, Uri address, StringBuilder log)
    {
        _process = process;
        _directory = directory;
        _log = log;
        Address = address;
    }

    /// <summary>The base URL of the HTTP API, <c>http://127.0.0.1:PORT/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The temporary directory of its configuration and data, deleted on dispose.</summary>
    public string WorkingDirectory => _directory.FullName;

    /// <summary>Whether the server process is still running.</summary>
    public bool IsRunning => !_disposed && !_process.HasExited;

    /// <summary>The server's process, for measuring what it costs.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Starts Prometheus and waits until it is ready. Throws <see cref="PrometheusNotInstalledException"/>
    /// when the binary is missing, and <see cref="InvalidOperationException"/> with its last log lines when
    /// it does not become ready.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(PrometheusServerOptions options, CancellationToken cancellationToken = default)
    {
        var binary = Locate(options.Binary) ?? throw new PrometheusNotInstalledException(options.Binary);
        var promtool = options.History is null ? null : Locate(options.Promtool) ?? throw new PrometheusNotInstalledException(options.Promtool);
        for (var attempt = 1; ; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory("canarypilot-prometheus-");
            try
            {
                if (promtool is not null)
                {
                    await WriteHistoryAsync(promtool, options.History!.ToOpenMetrics(), directory, cancellationToken).ConfigureAwait(false);
                }

                var server = await TryStartAsync(binary, options, directory, cancellationToken).ConfigureAwait(false);
                if (server is not null)
                {
                    return server;
                }
            }
            catch
            {
                directory.Delete(recursive: true);
                throw;
            }

            // The free port was taken between choosing it and Prometheus binding it: try another.
            directory.Delete(recursive: true);
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException($"prometheus could not bind a loopback port in {StartAttempts} attempts");
            }
        }
    }

    /// <summary>Stops the server gracefully (it flushes its data), or kills it when it does not stop in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = Kill(_process.Id, Sigterm);
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await StopAsync().ConfigureAwait(false);
        _disposed = true;
        _process.Dispose();
        if (_directory.Exists)
        {
            _directory.Delete(recursive: true);
        }
    }

    /// <summary>The server's recent log lines, for a test that wants to say why something failed.</summary>
    public string RecentLog()
    {
        lock (_log)
        {
            return _log.ToString();
        }
    }

    private static async Task<PrometheusServer?> TryStartAsync(string binary, PrometheusServerOptions options, DirectoryInfo directory, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var config = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(config, Configuration(options), cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            $"--config.file={config}",
            $"--storage.tsdb.path={Path.Combine(directory.FullName, "data")}",
            $"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=1d",
            "--log.level=warn",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {binary}");
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        var address = new Uri($"http://127.0.0.1:{port}/");
        var server = new PrometheusServer(process, directory, address, log);
        if (await WaitReadyAsync(process, address, options.StartTimeout, cancellationToken).ConfigureAwait(false))
        {
            return server;
        }

        await server.StopAsync().ConfigureAwait(false);
        process.Dispose();
        var text = server.RecentLog();
        if (text.Contains("address already in use", StringComparison.Ordinal))
        {
            return null;
        }

        throw new InvalidOperationException($"prometheus did not become ready within {options.StartTimeout.TotalSeconds:0}s: {LastLine(text)}");
    }

    /// <summary>Writes the samples into blocks of the data directory the server will open.</summary>
    private static async Task WriteHistoryAsync(string promtool, string history, DirectoryInfo directory, CancellationToken cancellationToken)
    {
        var input = Path.Combine(directory.FullName, "history.om");
        await File.WriteAllTextAsync(input, history, cancellationToken).ConfigureAwait(false);
        var start = new ProcessStartInfo(promtool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "tsdb", "create-blocks-from", "openmetrics", input, Path.Combine(directory.FullName, "data") })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {promtool}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"promtool could not write the history (exit {process.ExitCode}): {LastLine(await error.ConfigureAwait(false) + await output.ConfigureAwait(false))}");
        }

        await Task.WhenAll(output, error).ConfigureAwait(false);
    }

    private static async Task<bool> WaitReadyAsync(Process process, Uri address, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (!process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(address, "-/ready"), deadline.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (deadline.IsCancellationRequested)
                {
                    return false;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), deadline.Token).ConfigureAwait(false);
        }

        return false;
    }

    private static string Configuration(PrometheusServerOptions options)
    {
        var interval = $"{(long)Math.Max(1, options.ScrapeInterval.TotalMilliseconds)}ms";
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"global:\n  scrape_interval: {interval}\n  scrape_timeout: {interval}\n  evaluation_interval: {interval}\nscrape_configs:\n");
        for (var i = 0; i < options.Targets.Count; i++)
        {
            var target = options.Targets[i];
            text.Append(CultureInfo.InvariantCulture, $"  - job_name: target-{i}\n    honor_labels: true\n    scheme: {target.Scheme}\n    metrics_path: \"{target.AbsolutePath}\"\n    static_configs:\n      - targets: [\"{target.Authority}\"]\n");
        }

        return text.ToString();
    }

    private static string? Locate(string binary)
    {
        if (binary.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(binary) ? binary : null;
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(':', StringSplitOptions.RemoveEmptyEntries).Select(dir => Path.Combine(dir, binary)).FirstOrDefault(File.Exists);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            // Keep the tail only: the server logs little at warn level, but runs for a whole test session.
            if (log.Length > 64 * 1024)
            {
                log.Remove(0, log.Length / 2);
            }

            log.AppendLine(line);
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "it wrote nothing";

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
