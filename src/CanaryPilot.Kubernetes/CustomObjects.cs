using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Kubernetes.Caching;
using k8s;
using k8s.Autorest;
using Polly;

namespace CanaryPilot.Kubernetes;

/// <summary>
/// Reads and writes custom resources as JSON documents through KubernetesClient, every call through
/// the resilience pipeline, and writes as read-modify-write: the write carries the resourceVersion it
/// read, and on 409 the document is read again — from the API — and the same change applied again.
/// With a <see cref="WatchCache"/>, reads it covers come from it and every write's response goes into it.
/// </summary>
public sealed class CustomObjects(IKubernetes client, ResiliencePipeline pipeline, KubernetesOptions options, WatchCache? cache = null)
{
    public async Task<JsonObject?> GetAsync(ResourceRef resource, CancellationToken cancellationToken) =>
        cache?.Get(resource) is { } found ? found.Item : await ReadAsync(resource, cancellationToken);

    /// <summary>Reads from the API, never the cache.</summary>
    public async Task<JsonObject?> ReadAsync(ResourceRef resource, CancellationToken cancellationToken)
    {
        try
        {
            var found = await pipeline.ExecuteAsync(
                async token => await client.CustomObjects.GetNamespacedCustomObjectAsync(resource.Group, resource.Version, resource.Namespace, resource.Plural, resource.Name, token),
                cancellationToken);
            return ToJson(found);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<JsonObject> CreateAsync(ResourceRef resource, JsonObject document, CancellationToken cancellationToken)
    {
        var created = await pipeline.ExecuteAsync(
            async token => await client.CustomObjects.CreateNamespacedCustomObjectAsync(document, resource.Group, resource.Version, resource.Namespace, resource.Plural, cancellationToken: token),
            cancellationToken);
        return Remember(resource.Kind, ToJson(created));
    }

    /// <summary>Every object of <paramref name="kind"/> in <paramref name="namespaceName"/> (every namespace when null) that <paramref name="where"/> keeps.</summary>
    public async Task<IReadOnlyList<JsonObject>> ListAsync(ResourceKind kind, string? namespaceName, CancellationToken cancellationToken, Func<CachedObject, bool>? where = null) =>
        cache?.List(kind, namespaceName, where)
        ?? [.. (await ListFromApiAsync(kind.Group, kind.Version, namespaceName, kind.Plural, cancellationToken)).Where(o => where is null || (CachedObject.From(o) is { } found && where(found)))];

    private async Task<IReadOnlyList<JsonObject>> ListFromApiAsync(string group, string version, string? namespaceName, string plural, CancellationToken cancellationToken)
    {
        var list = await pipeline.ExecuteAsync(
            async token => namespaceName is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync(group, version, plural, cancellationToken: token)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync(group, version, namespaceName, plural, cancellationToken: token),
            cancellationToken);
        return (ToJson(list)["items"] as JsonArray ?? []).OfType<JsonObject>().Select(i => (JsonObject)i.DeepClone()).ToList();
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the live document and writes it back (to <c>/status</c>
    /// when <paramref name="status"/>); nothing is written when the change changes nothing.
    /// </summary>
    public async Task<JsonObject> UpdateAsync(ResourceRef resource, Action<JsonObject> change, bool status, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            // A conflict means what was read is stale: read the API itself before trying again.
            var current = await (attempt == 1 ? GetAsync(resource, cancellationToken) : ReadAsync(resource, cancellationToken)) ?? throw new KeyNotFoundException($"{resource} does not exist");
            var updated = (JsonObject)current.DeepClone();
            change(updated);
            if (JsonNode.DeepEquals(current, updated))
            {
                return current;
            }

            try
            {
                var written = await pipeline.ExecuteAsync(
                    async token => status
                        ? await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync(updated, resource.Group, resource.Version, resource.Namespace, resource.Plural, resource.Name, cancellationToken: token)
                        : await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(updated, resource.Group, resource.Version, resource.Namespace, resource.Plural, resource.Name, cancellationToken: token),
                    cancellationToken);
                return Remember(resource.Kind, ToJson(written));
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict && attempt < options.MaxConflictRetries)
            {
                // Someone wrote in between: read again and re-apply the same intent.
            }
        }
    }

    private JsonObject Remember(ResourceKind kind, JsonObject written)
    {
        cache?.Remember(kind, written);
        return written;
    }

    private static JsonObject ToJson(object response) => response switch
    {
        JsonElement element => JsonNode.Parse(element.GetRawText())!.AsObject(),
        JsonNode node => node.AsObject(),
        _ => JsonNode.Parse(KubernetesJson.Serialize(response))!.AsObject(),
    };
}

/// <summary>One namespaced custom resource.</summary>
public sealed record ResourceRef(string Group, string Version, string Namespace, string Plural, string Name)
{
    public ResourceKind Kind => new(Group, Version, Plural);

    public override string ToString() => $"{Plural}.{Group} {Namespace}/{Name}";
}
