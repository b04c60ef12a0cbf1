namespace CanaryPilot.Kubernetes.Tests;

/// <summary>Requests are counted under the verb and resource the API server's audit log gives them.</summary>
public sealed class KubernetesRequestsTests
{
    [Theory]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans", "list", "rolloutplans")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/rolloutplans", "list", "rolloutplans")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans/reviews", "get", "rolloutplans")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans?watch=true&resourceVersion=7&allowWatchBookmarks=true", "watch", "rolloutplans")]
    [InlineData("PUT", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans/reviews/status", "update", "rolloutplans")]
    [InlineData("GET", "/api/v1/namespaces/bookinfo/secrets/prometheus-token", "get", "secrets")]
    [InlineData("GET", "/api/v1/namespaces", "list", "namespaces")]
    [InlineData("GET", "/api/v1/namespaces/bookinfo", "get", "namespaces")]
    [InlineData("POST", "/api/v1/namespaces/bookinfo/events", "create", "events")]
    [InlineData("PATCH", "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews", "patch", "virtualservices")]
    [InlineData("DELETE", "/apis/coordination.k8s.io/v1/namespaces/default/leases/canarypilot-controller", "delete", "leases")]
    public void Of_NamesTheVerbAndResourceAsTheAuditLogDoes(string method, string path, string verb, string resource)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(new Uri("https://127.0.0.1:6443"), path));
        Assert.Equal((verb, resource), KubernetesRequests.Of(request));
    }
}
