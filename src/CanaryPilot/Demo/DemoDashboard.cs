using System.Net;
using System.Security.Cryptography;
using CanaryPilot.Core.Rollouts;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Scheduling;
using CanaryPilot.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Demo;

/// <summary>
/// The dashboard during a demo: <c>serve</c>'s page and API on a free loopback port, over the demo's own engine, with
/// an operator token made for this run alone. The demo hands it every status its rollout goes through.
/// </summary>
internal sealed class DemoDashboard : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RolloutEventHub _hub;

    private DemoDashboard(WebApplication app, Uri address, string token)
    {
        _app = app;
        _hub = app.Services.GetRequiredService<RolloutEventHub>();
        Address = address;
        Token = token;
    }

    public Uri Address { get; }

    /// <summary>The operator token of this run, made afresh: it lets the page act on the demo's rollout, and nothing else.</summary>
    public string Token { get; }

    /// <summary>The page, signed in with <see cref="Token"/> through the URL's fragment, which the browser never sends.</summary>
    public Uri SignedIn => new(Address, $"/#token={Token}");

    public static async Task<DemoDashboard> StartAsync(ServiceProvider engine, CancellationToken cancellationToken)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TokenStore.Parse($"{token}:operator\n", "the demo's token"));
        foreach (var shared in new[] { typeof(IRolloutStore), typeof(RolloutReconciler), typeof(RolloutProgress), typeof(CustomObjects), typeof(PlanReader), typeof(DrivingRule) })
        {
            builder.Services.AddSingleton(shared, engine.GetRequiredService(shared));
        }

        builder.Services.AddSingleton<RolloutTriggers>();
        builder.Services.AddSingleton<ServiceMetrics>();
        // Not started as a service: the demo's own session reads the engine's progress reports.
        builder.Services.AddSingleton<RolloutEventHub>();
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseStatusCodePages();
        app.MapRolloutsApi();
        app.MapDashboard();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DemoDashboard(app, new Uri(address), token);
    }

    /// <summary>Shows the page, and whoever follows it, the rollout's new status.</summary>
    public void Publish(string namespaceName, string name, RolloutStatus status) => _hub.Publish(namespaceName, name, status);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
