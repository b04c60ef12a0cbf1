namespace CanaryPilot.Kubernetes;

/// <summary>
/// The verb of a Kubernetes API request, as RBAC and the API server's audit log name it — <c>get</c>,
/// <c>list</c>, <c>watch</c>, <c>create</c>, <c>update</c>, <c>patch</c>, <c>delete</c> — read from
/// its method and path, so the service's metrics can count reads, writes and watches apart.
/// </summary>
public static class KubernetesVerbs
{
    public static string Of(HttpRequestMessage request)
    {
        var method = request.Method.Method;
        if (method != "GET")
        {
            return method switch { "POST" => "create", "PUT" => "update", "PATCH" => "patch", "DELETE" => "delete", _ => method.ToLowerInvariant() };
        }

        var uri = request.RequestUri!;
        if (uri.Query.Contains("watch=true", StringComparison.Ordinal))
        {
            return "watch";
        }

        // /api/v1/… or /apis/GROUP/VERSION/…, then namespaces/NS/ for a namespaced resource, then PLURAL[/NAME[/SUBRESOURCE]].
        var segments = uri.AbsolutePath.Trim('/').Split('/');
        var skip = segments.Length > 0 && segments[0] == "api" ? 2 : 3;
        var rest = segments.Skip(skip).ToArray();
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            rest = rest[2..];
        }

        return rest.Length == 1 ? "list" : "get";
    }
}
