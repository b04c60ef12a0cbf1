using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CanaryPilot.Sandbox;

/// <summary>
/// The sandbox's HTTP servers (the API emulator, the mesh's <c>/metrics</c>, test fakes): Kestrel on
/// 127.0.0.1 only, a free port unless one is asked for, one handler, no logging of its own.
/// </summary>
public static class LoopbackServer
{
    public static async Task<(WebApplication App, Uri Address)> StartAsync(
        RequestDelegate handler,
        int port = 0,
        Action<KestrelServerOptions>? configure = null,
        Action<ListenOptions>? listen = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            configure?.Invoke(kestrel);
            kestrel.Listen(IPAddress.Loopback, port, options => listen?.Invoke(options));
        });
        builder.Logging.ClearProviders();
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }
}
