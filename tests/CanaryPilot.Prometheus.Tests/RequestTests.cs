using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CanaryPilot.Core.Analysis;
using CanaryPilot.Core.Plans;
using CanaryPilot.Core.Secrets;

namespace CanaryPilot.Prometheus.Tests;

/// <summary>What goes on the wire: the API paths, GET or POST, credentials, extra headers, TLS.</summary>
public sealed class RequestTests
{
    private static readonly DateTimeOffset At = new(2026, 5, 1, 12, 0, 0, 500, TimeSpan.Zero);

    private static Task<FakePrometheus> AnswerAlwaysAsync() => FakePrometheus.StartAsync((context, _) => FakePrometheus.Json(context, FakePrometheus.OneSample));

    private static PrometheusClient Client(PrometheusClientOptions options) => PrometheusClient.Create(options, TimeProvider.System);

    [Fact]
    public async Task ShortQuery_IsAGetWithQueryAndTime()
    {
        await using var server = await AnswerAlwaysAsync();
        using var client = Client(new PrometheusClientOptions { Address = server.Address });

        await client.QueryAsync("sum(up{job=\"a b\"})", At, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/v1/query?query=sum%28up%7Bjob%3D%22a%20b%22%7D%29&time=1777636800.5"), (request.Method, request.PathAndQuery));
    }

    [Fact]
    public async Task Query_AsksForNoCompression()
    {
        // Prometheus compresses an answer when asked, and for answers this small that tripled its CPU per query.
        await using var server = await AnswerAlwaysAsync();
        using var client = Client(new PrometheusClientOptions { Address = server.Address });

        await client.QueryAsync("up", At, CancellationToken.None);

        Assert.False(Assert.Single(server.Requests).Headers.ContainsKey("Accept-Encoding"));
    }

    [Fact]
    public async Task LongQuery_IsAPostForm()
    {
        await using var server = await AnswerAlwaysAsync();
        using var client = Client(new PrometheusClientOptions { Address = server.Address, MaxGetUrlLength = 100 });
        var query = "sum(up) " + new string(' ', 100) + "+ 1";

        await client.QueryAsync(query, At, CancellationToken.None);

        var request = Assert.Single(server.Requests);
        Assert.Equal(("POST", "/api/v1/query", "application/x-www-form-urlencoded; charset=utf-8"), (request.Method, request.PathAndQuery, request.Headers["Content-Type"]));
        Assert.Equal("sum(up) " + new string(' ', 100) + "+ 1", System.Web.HttpUtility.ParseQueryString(request.Body)["query"]);
    }

    [Fact]
    public async Task QueryRange_SendsStartEndAndStep()
    {
        await using var server = await FakePrometheus.StartAsync((context, _) =>
            FakePrometheus.Json(context, """{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[1777636740,"1"],[1777636770,"NaN"],[1777636800,"+Inf"]]}]}}"""));
        using var client = Client(new PrometheusClientOptions { Address = server.Address });

        var result = await client.QueryRangeAsync("up", At.AddSeconds(-60.5), At.AddSeconds(-0.5), TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal("/api/v1/query_range?query=up&start=1777636740&end=1777636800&step=30", Assert.Single(server.Requests).PathAndQuery);
        var points = Assert.Single(result.Series).Points;
        Assert.Equal([1.0, double.NaN, double.PositiveInfinity], points.Select(p => p.Value));
        Assert.Equal(At.AddSeconds(-0.5), points[^1].Time);
    }

    [Fact]
    public async Task AddressWithPathPrefix_KeepsThePrefix()
    {
        await using var server = await AnswerAlwaysAsync();
        using var client = Client(new PrometheusClientOptions { Address = new Uri(server.Address, "/thanos/prom") });

        await client.QueryAsync("up", At, CancellationToken.None);

        Assert.StartsWith("/thanos/prom/api/v1/query?", Assert.Single(server.Requests).PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerToken_IsSentAsAuthorization()
    {
        await using var server = await AnswerAlwaysAsync();
        using var client = Client(new PrometheusClientOptions { Address = server.Address, BearerToken = "t0ken" });

        await client.QueryAsync("up", At, CancellationToken.None);

        Assert.Equal("Bearer t0ken", Assert.Single(server.Requests).Headers["Authorization"]);
    }

    [Fact]
    public async Task BasicAuthAndExtraHeaders_AreSent()
    {
        await using var server = await AnswerAlwaysAsync();
        var options = new PrometheusClientOptions { Address = server.Address, Username = "canary", Password = "s3cret" };
        options.Headers["X-Scope-OrgID"] = "team-a";
        using var client = Client(options);

        await client.QueryAsync("up", At, CancellationToken.None);

        var headers = Assert.Single(server.Requests).Headers;
        Assert.Equal(("Basic Y2FuYXJ5OnMzY3JldA==", "team-a"), (headers["Authorization"], headers["X-Scope-OrgID"]));
    }

    [Fact]
    public async Task PlanCredentials_AreResolvedThroughTheSecretResolver()
    {
        var spec = new PrometheusSpec
        {
            BasicAuth = new BasicAuthSpec { Username = "canary", Password = new SecretSource { Env = "PROM_PASSWORD" } },
            Headers = [new HeaderSpec { Name = "X-Scope-OrgID", ValueFrom = new SecretSource { File = "/run/tenant" } }, new HeaderSpec { Name = "X-Team", Value = "checkout" }],
            Timeout = TimeSpan.FromSeconds(3),
        };
        var secrets = new DictionarySecrets(new() { ["env:PROM_PASSWORD"] = "s3cret\n", ["file:/run/tenant"] = "team-a\n" });

        var options = await PrometheusConnection.OptionsAsync(spec, new Uri("http://127.0.0.1:9090"), "shop", secrets, CancellationToken.None);

        Assert.Equal(("canary", "s3cret", "team-a", "checkout", TimeSpan.FromSeconds(3)), (options.Username, options.Password, options.Headers["X-Scope-OrgID"], options.Headers["X-Team"], options.Timeout));
        Assert.Equal(["shop", "shop"], secrets.Namespaces);
    }

    [Fact]
    public async Task Tls_ServerSignedByTheGivenCa_IsTrusted_OtherwiseUnreachable()
    {
        using var certificate = SelfSigned();
        var caFile = Path.Combine(Path.GetTempPath(), $"canarypilot-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem());
        try
        {
            await using var server = await FakePrometheus.StartAsync((context, _) => FakePrometheus.Json(context, FakePrometheus.OneSample), certificate);
            Assert.Equal("https", server.Address.Scheme);

            using var trusting = Client(new PrometheusClientOptions { Address = server.Address, CaFile = caFile });
            using var insecure = Client(new PrometheusClientOptions { Address = server.Address, InsecureSkipVerify = true });
            using var strict = Client(new PrometheusClientOptions { Address = server.Address, MaxRetryAttempts = 0 });

            Assert.Null((await trusting.QueryAsync("up", At, CancellationToken.None)).Error);
            Assert.Null((await insecure.QueryAsync("up", At, CancellationToken.None)).Error);
            Assert.Equal(ProviderErrorKind.Unreachable, (await strict.QueryAsync("up", At, CancellationToken.None)).Error!.Kind);
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=canarypilot-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    /// <summary>Secrets by "kind:name", recording the namespace each was asked for in.</summary>
    private sealed class DictionarySecrets(Dictionary<string, string> values) : ISecretResolver
    {
        public List<string> Namespaces { get; } = [];

        public ValueTask<string> ResolveAsync(SecretSource source, string namespaceName, CancellationToken cancellationToken)
        {
            Namespaces.Add(namespaceName);
            var key = source.Env is { } env ? $"env:{env}" : $"file:{source.File}";
            return ValueTask.FromResult(values[key]);
        }
    }
}
