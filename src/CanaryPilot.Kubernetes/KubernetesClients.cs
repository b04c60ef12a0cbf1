using System.Net.Http.Headers;
using System.Reflection;
using k8s;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// Every KubernetesClient CanaryPilot makes: each request says it comes from
/// <c>canarypilot/VERSION</c>, so a cluster's audit log (and the sandbox's) tells CanaryPilot's
/// calls from everyone else's.
/// </summary>
public static class KubernetesClients
{
    public static ProductInfoHeaderValue UserAgent { get; } = new(
        "canarypilot",
        typeof(KubernetesClients).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0");

    /// <summary>A client of <paramref name="cluster"/>; <paramref name="outer"/>, when given, sees every request first (metrics).</summary>
    public static k8s.Kubernetes Create(KubernetesClientConfiguration cluster, DelegatingHandler? outer = null) =>
        outer is null ? new k8s.Kubernetes(cluster, new UserAgentHandler()) : new k8s.Kubernetes(cluster, outer, new UserAgentHandler());

    private sealed class UserAgentHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.UserAgent.Add(UserAgent);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
