using System.Net;
using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi;
using CanaryPilot.Service;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CanaryPilot.Tests.Service;

/// <summary>The service on a cluster without CanaryPilot's CRDs: it says what to install, and is not ready.</summary>
public sealed class ClusterErrorTests
{
    [Fact]
    public async Task WithoutTheCrds_TheApiAnswers503WithTheFix_AndReadyzIsNotReady()
    {
        await using var cluster = await KubeApiCluster.StartAsync();
        var options = new ServiceOptions { Port = 0, Identity = "replica-a" };
        await using var app = ServiceHost.Build(options, cluster.Configuration, TokenStore.Parse($"{ServiceUnderTest.ViewerToken}:viewer\n", "tokens"));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        using var list = await http.SendAsync(ServiceUnderTest.Request(HttpMethod.Get, "/api/v1/rollouts", ServiceUnderTest.ViewerToken));
        using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal("application/problem+json", list.Content.Headers.ContentType?.MediaType);
        Assert.Contains("kubectl apply -f deploy/crds/", JsonNode.Parse(await list.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            using var again = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            return (await again.Content.ReadAsStringAsync()).Contains("kubectl apply -f deploy/crds/", StringComparison.Ordinal);
        }, "readyz to say the CRDs are missing");
        await app.StopAsync();
    }
}
