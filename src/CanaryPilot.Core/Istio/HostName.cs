namespace CanaryPilot.Core.Istio;

/// <summary>
/// Istio hosts compared the way Istio resolves them: a short name is relative to the resource's
/// namespace, so <c>reviews</c> in <c>bookinfo</c> is <c>reviews.bookinfo.svc.cluster.local</c>.
/// </summary>
public static class HostName
{
    private const string ClusterSuffix = ".svc.cluster.local";

    public static string Qualify(string host, string? @namespace)
    {
        if (host.Contains('*', StringComparison.Ordinal))
        {
            return host;
        }

        return host.Count(c => c == '.') switch
        {
            0 => $"{host}.{@namespace ?? "default"}{ClusterSuffix}",
            1 => host + ClusterSuffix,
            2 when host.EndsWith(".svc", StringComparison.Ordinal) => host + ".cluster.local",
            _ => host,
        };
    }

    public static bool Same(string a, string? namespaceOfA, string b, string? namespaceOfB) =>
        string.Equals(Qualify(a, namespaceOfA), Qualify(b, namespaceOfB), StringComparison.OrdinalIgnoreCase);
}
