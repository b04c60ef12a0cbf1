using System.Net.Http.Headers;
using System.Reflection;
using k8s;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// Every KubernetesClient CanaryPilot makes: each request says it comes from
/// <c>canarypilot/VERSION (COMPONENT)</c> — <c>serve</c>, <c>run</c>, <c>cli</c> — so a cluster's audit
/// log (and the sandbox's) tells CanaryPilot's calls from everyone else's, and the controller's from a
/// CI job's.
/// </summary>
public static class KubernetesClients
{
    public static ProductInfoHeaderValue UserAgent { get; } = new(
        "canarypilot",
        typeof(KubernetesClients).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>A client of <paramref name="cluster"/> for <paramref name="component"/>; <paramref name="outer"/>, when given, sees every request first (metrics).</summary>
    public static k8s.Kubernetes Create(KubernetesClientConfiguration cluster, string component = "cli", DelegatingHandler? outer = null) =>
        outer is null
            ? new k8s.Kubernetes(cluster, new UserAgentHandler(component))
            : new k8s.Kubernetes(cluster, outer, new UserAgentHandler(component));

    private sealed class UserAgentHandler(string component) : DelegatingHandler
    {
        private readonly ProductInfoHeaderValue _comment = new($"({component})");

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.UserAgent.Add(UserAgent);
            request.Headers.UserAgent.Add(_comment);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
