namespace CanaryPilot.Kubernetes.Tests;

/// <summary>Requests are counted under the verbs the API server's audit log gives them.</summary>
public sealed class KubernetesVerbsTests
{
    [Theory]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans", "list")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/rolloutplans", "list")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans/reviews", "get")]
    [InlineData("GET", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans?watch=true&resourceVersion=7&allowWatchBookmarks=true", "watch")]
    [InlineData("PUT", "/apis/canarypilot.io/v1alpha1/namespaces/bookinfo/rolloutplans/reviews/status", "update")]
    [InlineData("GET", "/api/v1/namespaces/bookinfo/secrets/prometheus-token", "get")]
    [InlineData("GET", "/api/v1/namespaces", "list")]
    [InlineData("GET", "/api/v1/namespaces/bookinfo", "get")]
    [InlineData("POST", "/api/v1/namespaces/bookinfo/events", "create")]
    [InlineData("PATCH", "/apis/networking.istio.io/v1/namespaces/bookinfo/virtualservices/reviews", "patch")]
    [InlineData("DELETE", "/apis/coordination.k8s.io/v1/namespaces/default/leases/canarypilot-controller", "delete")]
    public void Of_NamesTheVerbAsTheAuditLogDoes(string method, string path, string verb)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(new Uri("https://127.0.0.1:6443"), path));
        Assert.Equal(verb, KubernetesVerbs.Of(request));
    }
}
