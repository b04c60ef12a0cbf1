using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi.Storage;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>
/// Answers HTTP requests the way kube-apiserver does: discovery, then resource verbs, with errors as
/// <c>Status</c> objects. Faults switched on by tests apply before anything else.
/// </summary>
internal sealed partial class KubeApiHandler(ResourceCatalog catalog, ObjectStore store, FaultSwitches faults, AuditTrail audit, KubeApiOptions options, TimeProvider time)
{
    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            if (faults.Latency > TimeSpan.Zero && faults.Applies(context.Request.Headers.UserAgent.ToString()))
            {
                await Task.Delay(faults.Latency, time, context.RequestAborted);
            }

            await RouteAsync(context);
        }
        catch (KubeApiException e) when (!context.Response.HasStarted)
        {
            await Responses.WriteJsonAsync(context, e.Code, e.ToStatus());
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            // A bug of the emulator's: answer as the real server does with one, and say what it was.
            await Responses.WriteJsonAsync(context, 500, Status.Failure(500, "InternalError", $"emulator error: {e.GetType().Name}: {e.Message}"));
        }
    }

    private async Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var get = HttpMethods.IsGet(context.Request.Method);
        var document = (get, path.TrimEnd('/')) switch
        {
            (true, "/version") => Discovery.Version(),
            (true, "/api") => Discovery.CoreVersions(context.Request.Host.Value ?? ""),
            (true, "/apis") => Discovery.GroupList(catalog),
            (true, "/api/v1") => Discovery.ResourceList(catalog, "", "v1"),
            _ => null,
        };
        if (document is not null)
        {
            await Responses.WriteJsonAsync(context, 200, document);
            return;
        }

        if (get && path == "/openapi/v2")
        {
            context.Response.ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";
            await context.Response.Body.WriteAsync(OpenApiV2.Document(catalog), context.RequestAborted);
            return;
        }

        if (get && path is "/healthz" or "/livez" or "/readyz")
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted);
            return;
        }

        var segments = path.Trim('/').Split('/');
        if (get && segments is ["apis", var group] && catalog.Versions(group).Count > 0)
        {
            await Responses.WriteJsonAsync(context, 200, Discovery.Group(catalog, group));
            return;
        }

        if (get && segments is ["apis", var g, var v] && catalog.InGroupVersion(g, v).Count > 0)
        {
            await Responses.WriteJsonAsync(context, 200, Discovery.ResourceList(catalog, g, v));
            return;
        }

        if (ResourcePath.Parse(path) is { } resource && catalog.Find(resource.Group, resource.Version, resource.Plural) is { } type)
        {
            await HandleResourceAsync(context, resource, type);
            return;
        }

        throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
    }

    private async Task HandleResourceAsync(HttpContext context, ResourcePath path, ResourceType type)
    {
        if (type.Namespaced && path.Namespace is null && (path.Name is not null || !HttpMethods.IsGet(context.Request.Method)))
        {
            throw new KubeApiException(404, "NotFound", "the server could not find the requested resource");
        }

        if (path.Subresource is { } sub && !(sub == "status" && type.HasStatus))
        {
            throw new KubeApiException(404, "NotFound", $"the server could not find the requested resource ({sub} of {type.Plural})");
        }

        var verb = Verb(context, path);
        audit.Record(new AuditRecord(verb, type.Group, type.Plural, path.Subresource, path.Namespace, path.Name, context.Request.Headers.UserAgent.ToString()));
        if (faults.TakeFailure(verb, type.Plural) is { } status)
        {
            throw new KubeApiException(status, status == 429 ? "TooManyRequests" : "InternalError", $"injected fault: {verb} {type.Plural} answered {status}");
        }

        if (faults.TakeConflict(verb, type.Plural))
        {
            throw KubeApiException.Conflict(type, path.Name ?? "");
        }

        var userAgent = context.Request.Headers.UserAgent.ToString();
        if (faults.DrawFailure(userAgent) is { } drawn)
        {
            throw new KubeApiException(drawn, "InternalError", $"injected fault: {verb} {type.Plural} answered {drawn}");
        }

        if (faults.DrawConflict(verb, userAgent))
        {
            throw KubeApiException.Conflict(type, path.Name ?? "");
        }

        var dryRun = context.Request.Query["dryRun"].Contains("All");
        var ns = type.Namespaced ? path.Namespace : null;
        var statusOnly = path.Subresource == "status";
        switch (verb)
        {
            case "get":
                await WriteObjectAsync(context, type, store.Get(type, ns, path.Name!) ?? throw KubeApiException.NotFound(type, path.Name!));
                break;
            case "list":
                await ListAsync(context, type, ns);
                break;
            case "watch":
                await WatchAsync(context, type, ns);
                break;
            case "create":
                var created = store.Create(type, ns, await BodyAsync(context, type), dryRun);
                await WriteObjectAsync(context, type, created, 201);
                break;
            case "update":
                var body = await BodyAsync(context, type);
                await WriteObjectAsync(context, type, store.Update(type, ns, path.Name!, _ => body, statusOnly, dryRun));
                break;
            case "patch":
                var patch = await Responses.ReadJsonAsync(context, options.MaxRequestBytes) ?? throw KubeApiException.BadRequest("the patch is empty");
                var patcher = Patcher(context.Request.ContentType, type, patch);
                await WriteObjectAsync(context, type, store.Update(type, ns, path.Name!, patcher, statusOnly, dryRun));
                break;
            case "delete":
                var deleteOptions = await Responses.ReadJsonAsync(context, options.MaxRequestBytes);
                var expected = deleteOptions?["preconditions"]?["resourceVersion"]?.GetValue<string>();
                await WriteObjectAsync(context, type, store.Delete(type, ns, path.Name!, expected, dryRun));
                break;
            case "deletecollection":
                await DeleteCollectionAsync(context, type, ns, dryRun);
                break;
            default:
                throw KubeApiException.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }
    }

    private static string Verb(HttpContext context, ResourcePath path)
    {
        var method = context.Request.Method;
        var named = path.Name is not null;
        if (HttpMethods.IsGet(method))
        {
            var watch = context.Request.Query["watch"];
            return named ? "get" : watch == "true" || watch == "1" ? "watch" : "list";
        }

        return (method, named) switch
        {
            ("POST", false) => "create",
            ("PUT", true) => "update",
            ("PATCH", true) => "patch",
            ("DELETE", true) => "delete",
            ("DELETE", false) => "deletecollection",
            _ => "unsupported",
        };
    }

    private async Task<JsonObject> BodyAsync(HttpContext context, ResourceType type)
    {
        if (await Responses.ReadJsonAsync(context, options.MaxRequestBytes) is not JsonObject body)
        {
            throw KubeApiException.BadRequest("the body of the request must be a JSON object");
        }

        if (body["kind"]?.GetValue<string>() is { } kind && kind != type.Kind)
        {
            throw KubeApiException.BadRequest($"the kind of the object ({kind}) does not match the resource ({type.Kind})");
        }

        return body;
    }

    private async Task WriteObjectAsync(HttpContext context, ResourceType type, JsonObject item, int status = 200)
    {
        if (TableConverter.Wanted(context.Request.Headers.Accept))
        {
            await Responses.WriteJsonAsync(context, status, TableConverter.Convert(type, [item], item["metadata"]?["resourceVersion"]?.ToString(), time.GetUtcNow()));
            return;
        }

        await Responses.WriteJsonAsync(context, status, item);
    }
}
