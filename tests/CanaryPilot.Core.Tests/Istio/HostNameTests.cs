using CanaryPilot.Core.Istio;

namespace CanaryPilot.Core.Tests.Istio;

public sealed class HostNameTests
{
    [Theory]
    [InlineData("reviews", "bookinfo", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("reviews.bookinfo", "other", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("reviews.bookinfo.svc", "other", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("reviews.bookinfo.svc.cluster.local", "other", "reviews.bookinfo.svc.cluster.local")]
    [InlineData("api.payments.example", "bookinfo", "api.payments.example")]
    [InlineData("*.example.com", "bookinfo", "*.example.com")]
    public void Qualify_ResolvesShortNamesInTheResourceNamespace(string host, string ns, string expected) =>
        Assert.Equal(expected, HostName.Qualify(host, ns));

    [Fact]
    public void Same_ShortNamesInDifferentNamespaces_AreDifferentHosts() =>
        Assert.False(HostName.Same("reviews", "a", "reviews", "b"));
}
