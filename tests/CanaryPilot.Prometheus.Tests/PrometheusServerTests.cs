using CanaryPilot.Sandbox.Prometheus;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>The sandbox's Prometheus launcher: a missing binary, and a server that cleans up after itself.</summary>
public sealed class PrometheusServerTests
{
    [Fact]
    public async Task MissingBinary_FailsWithOneLineThatSaysHowToInstall()
    {
        var error = await Assert.ThrowsAsync<PrometheusNotInstalledException>(() =>
            PrometheusServer.StartAsync(new PrometheusServerOptions { Binary = "prometheus-not-installed-here" }));

        Assert.DoesNotContain('\n', error.Message);
        Assert.EndsWith("install it with: apt-get install prometheus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_StopsTheServerAndDeletesItsFiles()
    {
        var server = await PrometheusServer.StartAsync(new PrometheusServerOptions());
        var directory = server.WorkingDirectory;
        Assert.True(Directory.Exists(Path.Combine(directory, "data")));

        await server.DisposeAsync();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(directory));
    }

    [Fact]
    public async Task TwoServers_RunSideBySideOnTheirOwnPorts()
    {
        await using var first = await PrometheusServer.StartAsync(new PrometheusServerOptions());
        await using var second = await PrometheusServer.StartAsync(new PrometheusServerOptions());

        Assert.NotEqual(first.Address.Port, second.Address.Port);
        Assert.All([first.Address, second.Address], a => Assert.Equal("127.0.0.1", a.Host));
    }
}
