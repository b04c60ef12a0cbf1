namespace CanaryPilot.Kubernetes;

/// <summary>
/// A Kubernetes API request as RBAC and the API server's audit log name it: its verb — <c>get</c>,
/// <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c> — and its
/// resource (<c>rolloutplans</c>, <c>leases</c>, …), read from its method and path, so the service's
/// metrics count reads, writes and watches of each kind apart.
/// </summary>
public static class KubernetesRequests
{
    public static (string Verb, string Resource) Of(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        // /api/v1/… or /apis/GROUP/VERSION/…, then namespaces/NS/ for a namespaced resource, then PLURAL[/NAME[/SUBRESOURCE]].
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var rest = segments.Skip(segments.Length > 0 && segments[0] == "api" ? 2 : 3).ToArray();
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            rest = rest[2..];
        }

        var resource = rest.Length > 0 ? rest[0] : "";
        var verb = request.Method.Method switch
        {
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            "GET" when uri.Query.Contains("watch=true", StringComparison.Ordinal) => "watch",
            "GET" => rest.Length == 1 ? "list" : "get",
            var other => other.ToLowerInvariant(),
        };
        return (verb, resource);
    }
}
