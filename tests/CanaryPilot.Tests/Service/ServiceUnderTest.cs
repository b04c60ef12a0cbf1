using System.Net.Http.Headers;
using CanaryPilot.Service;
using CanaryPilot.Tests.EndToEnd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Tests.Service;

/// <summary>One replica of <c>canarypilot serve</c> on a free loopback port, against a test bed's emulator and Prometheus.</summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    public const string OperatorToken = "operator-token-5f2c";
    public const string ViewerToken = "viewer-token-9a1e";

    private ServiceUnderTest(WebApplication app, Uri address)
    {
        App = app;
        Http = new HttpClient { BaseAddress = address };
    }

    public WebApplication App { get; }

    public HttpClient Http { get; }

    public LeaderService Leader => App.Services.GetRequiredService<LeaderService>();

    /// <summary>
    /// Starts a replica; <paramref name="options"/>, when given, are its settings (as a Deployment's
    /// environment makes them) before the test's own; <paramref name="prometheus"/> stands in for the bed's;
    /// <paramref name="lease"/> is the leader's Lease (2 s, for failovers a test can wait for).
    /// </summary>
    public static async Task<ServiceUnderTest> StartAsync(RolloutTestBed bed, string identity = "replica-a", ServiceOptions? options = null, Uri? prometheus = null, TimeSpan? lease = null)
    {
        options ??= new ServiceOptions();
        options.Port = 0;
        options.ListenOnAllInterfaces = false;
        options.Prometheus = (prometheus ?? bed.Prometheus.Address).ToString();
        options.Identity = identity;
        options.LeaseDuration = lease ?? TimeSpan.FromSeconds(2);
        options.RenewDeadline = options.LeaseDuration / 2;
        options.RetryPeriod = TimeSpan.FromMilliseconds(200);
        var tokens = TokenStore.Parse($"{OperatorToken}:operator\n{ViewerToken}:viewer\n", "tokens");
        var app = ServiceHost.Build(options, bed.Cluster.Configuration, tokens);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceUnderTest(app, new Uri(address));
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token = OperatorToken, HttpContent? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
