using System.Net;
using System.Text;
using CanaryPilot.Hosting;
using CanaryPilot.Kubernetes;
using CanaryPilot.Kubernetes.Caching;
using CanaryPilot.Kubernetes.Rollouts;
using CanaryPilot.Secrets;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace CanaryPilot.Service;

/// <summary>
/// <c>canarypilot serve</c>'s composition: the engine, the leader election, the plan controller, the
/// HTTP API, health and metrics. Options come from appsettings.json, CANARYPILOT__ environment
/// variables and the command line, and are validated before anything starts.
/// </summary>
public static class ServiceHost
{
    public static WebApplication Build(ServiceOptions options, KubernetesClientConfiguration cluster, TokenStore tokens, TimeProvider? time = null)
    {
        options.Validate();
        time ??= TimeProvider.System;
        var builder = WebApplication.CreateSlimBuilder();
        Logging.ForService(builder.Logging);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenOnAllInterfaces ? IPAddress.Any : IPAddress.Loopback, options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
        });
        var metrics = new ServiceMetrics();
        var leadership = new Leadership();
        builder.Services.AddRolloutEngine(new EngineSettings
        {
            Outbound = target => metrics.Outbound(target, time),
            Cluster = cluster,
            Prometheus = options.Prometheus is { } address ? new Uri(address) : null,
            Kubernetes = options.Kubernetes,
            Notifications = options.Notifications,
            Namespaces = [.. options.Namespaces],
            Rule = DrivingRule.ForController(options.Namespaces, () => leadership.Drives),
            Watch = true,
            Component = "serve",
            Errors = metrics,
            LocalSecrets = new LocalSecretResolver(),
            Instance = options.Identity,
            Time = time,
        });
        // The cache starts first: everything else reads through it.
        builder.Services.AddHostedService(sp => sp.GetRequiredService<WatchCache>());
        builder.Services.AddSingleton(leadership);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(tokens);
        builder.Services.AddSingleton(metrics);
        // Everything the service counts (notifications included) goes to the registry /metrics exports.
        builder.Services.AddSingleton(sp => sp.GetRequiredService<ServiceMetrics>().Registry);
        builder.Services.AddSingleton<RolloutTriggers>();
        builder.Services.AddSingleton<RolloutEventHub>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RolloutEventHub>());
        builder.Services.AddSingleton<LeaderService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LeaderService>());
        builder.Services.AddSingleton<PlanController>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PlanController>());
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        // Errors without a body of their own (an unknown route, a wrong method) are ProblemDetails too.
        app.UseStatusCodePages();
        app.MapGet("/healthz", () => Results.Text("ok"));
        app.MapGet("/readyz", (PlanController controller, WatchCache cache) => controller.Ready
            ? Results.Text("ok")
            : Results.Problem(statusCode: 503, title: "Not ready", detail: cache.IsNotServed(CanaryPilotResources.RolloutPlans) ? CanaryPilotResources.CrdMissingHint : "the RolloutPlans are not listed yet"));
        app.MapGet("/metrics", async (HttpContext context, ServiceMetrics metrics) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4";
            await metrics.Registry.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        app.MapOpenApi();
        app.MapRolloutsApi();
        app.MapDashboard();
        return app;
    }

    /// <summary>Loads the API tokens from a file or a Kubernetes Secret's <c>tokens</c> key.</summary>
    public static async Task<TokenStore> TokensAsync(ServiceOptions options, IKubernetes? client, CancellationToken cancellationToken)
    {
        if (options.TokensFile is { } file)
        {
            return TokenStore.Parse(await File.ReadAllTextAsync(file, cancellationToken), file);
        }

        if (options.TokensSecret is { } secret && client is not null)
        {
            var parts = secret.Split('/', 2);
            var read = await client.CoreV1.ReadNamespacedSecretAsync(parts[^1], parts.Length == 2 ? parts[0] : "default", cancellationToken: cancellationToken);
            return read.Data?.TryGetValue("tokens", out var bytes) == true
                ? TokenStore.Parse(Encoding.UTF8.GetString(bytes), $"Secret {secret}")
                : throw new FormatException($"Secret {secret} has no key \"tokens\"");
        }

        return new TokenStore();
    }

    /// <summary>Binds the CanaryPilot section of appsettings.json and CANARYPILOT__ environment variables.</summary>
    public static ServiceOptions FromConfiguration()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        return FromConfiguration(configuration);
    }

    /// <summary>The <c>CanaryPilot</c> section of <paramref name="configuration"/> (e.g. <c>CanaryPilot__Lease</c> in the environment).</summary>
    public static ServiceOptions FromConfiguration(IConfiguration configuration)
    {
        var options = new ServiceOptions();
        configuration.GetSection(ServiceOptions.SectionName).Bind(options);
        return options;
    }
}
