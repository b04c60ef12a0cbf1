namespace CanaryPilot.Prometheus.Tests;

/// <summary>Options that connect alike share a key; anything that changes the connection changes it; credentials stay out of it.</summary>
public sealed class ConnectionKeyTests
{
    private static PrometheusClientOptions Options(string? token = "s3cr3t-token", string tenant = "team-a", TimeSpan? timeout = null)
    {
        var options = new PrometheusClientOptions { Address = new Uri("http://127.0.0.1:9090/"), BearerToken = token, Timeout = timeout ?? TimeSpan.FromSeconds(10) };
        options.Headers["X-Scope-OrgID"] = tenant;
        return options;
    }

    [Fact]
    public void SameSettings_SameKey_WhateverTheCaseOfAHeaderName()
    {
        var other = Options();
        other.Headers.Clear();
        other.Headers["x-scope-orgid"] = "team-a";

        Assert.Equal(Options().ConnectionKey(), other.ConnectionKey());
    }

    [Fact]
    public void CredentialsHeadersAndTimeouts_EachMakeADifferentKey()
    {
        var key = Options().ConnectionKey();

        Assert.NotEqual(key, Options(token: "another-token").ConnectionKey());
        Assert.NotEqual(key, Options(token: null).ConnectionKey());
        Assert.NotEqual(key, Options(tenant: "team-b").ConnectionKey());
        Assert.NotEqual(key, Options(timeout: TimeSpan.FromSeconds(3)).ConnectionKey());
    }

    [Fact]
    public void Key_DoesNotHoldTheCredentials()
    {
        var key = Options().ConnectionKey();

        Assert.DoesNotContain("s3cr3t", key, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("^[0-9A-F]{64}$", key);
    }
}
