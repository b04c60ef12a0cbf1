using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CanaryPilot.Sandbox.KubeApi.Patching;
using CanaryPilot.Sandbox.KubeApi.Storage;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.KubeApi.Http;

internal sealed partial class KubeApiHandler
{
    private static Func<JsonObject, bool> Filter(HttpContext context)
    {
        var labels = LabelSelector.Parse(context.Request.Query["labelSelector"]);
        var fields = FieldSelector.Parse(context.Request.Query["fieldSelector"]);
        return item => labels.Matches(item) && fields.Matches(item);
    }

    private async Task ListAsync(HttpContext context, ResourceType type, string? ns)
    {
        var limit = int.TryParse(context.Request.Query["limit"], out var l) && l > 0 ? l : 0;
        var after = DecodeContinue(context.Request.Query["continue"]);
        var (items, version, next) = store.List(type, ns, Filter(context), limit, after);
        var resourceVersion = version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (TableConverter.Wanted(context.Request.Headers.Accept))
        {
            var table = TableConverter.Convert(type, items, resourceVersion, time.GetUtcNow());
            if (next is not null)
            {
                table["metadata"]!["continue"] = EncodeContinue(next);
            }

            await Responses.WriteJsonAsync(context, 200, table);
            return;
        }

        await Responses.WriteJsonAsync(context, 200, List(type, items, resourceVersion, next));
    }

    private static JsonObject List(ResourceType type, IEnumerable<JsonObject> items, string resourceVersion, string? next = null)
    {
        var metadata = new JsonObject { ["resourceVersion"] = resourceVersion };
        if (next is not null)
        {
            metadata["continue"] = EncodeContinue(next);
        }

        return new JsonObject
        {
            ["kind"] = type.ListKind,
            ["apiVersion"] = type.ApiVersion,
            ["metadata"] = metadata,
            ["items"] = new JsonArray([.. items]),
        };
    }

    private static string EncodeContinue(string key) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(key));

    private static string? DecodeContinue(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token));
        }
        catch (FormatException)
        {
            throw KubeApiException.BadRequest("continue key is not valid");
        }
    }

    private async Task DeleteCollectionAsync(HttpContext context, ResourceType type, string? ns, bool dryRun)
    {
        var (items, _, _) = store.List(type, ns, Filter(context), 0, null);
        var deleted = items.Select(i => store.Delete(type, ns ?? i["metadata"]?["namespace"]?.GetValue<string>(), i["metadata"]!["name"]!.GetValue<string>(), null, dryRun)).ToList();
        await Responses.WriteJsonAsync(context, 200, List(type, deleted, store.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static Func<JsonObject, JsonObject> Patcher(string? contentType, ResourceType type, JsonNode patch)
    {
        var mediaType = contentType?.Split(';')[0].Trim();
        Func<JsonObject, JsonNode?> apply = mediaType switch
        {
            "application/json-patch+json" when patch is JsonArray operations => current => JsonPatch.Apply(current, operations),
            "application/json-patch+json" => throw KubeApiException.BadRequest("a JSON patch must be a list of operations"),
            "application/merge-patch+json" => current => JsonMergePatch.Apply(current, patch),
            "application/strategic-merge-patch+json" when !type.Custom => current => StrategicMergePatch.Apply(current, patch),
            _ => throw new KubeApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json{(type.Custom ? "" : ", application/strategic-merge-patch+json")}"),
        };
        return current =>
        {
            try
            {
                return apply(current) as JsonObject ?? throw KubeApiException.BadRequest("the patch must leave an object");
            }
            catch (PatchException e)
            {
                throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: {e.Message}");
            }
        };
    }

    private async Task WatchAsync(HttpContext context, ResourceType type, string? ns)
    {
        var query = context.Request.Query;
        var bookmarks = query["allowWatchBookmarks"] == "true";
        var table = TableConverter.Wanted(context.Request.Headers.Accept);
        var timeout = int.TryParse(query["timeoutSeconds"], out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : Timeout.InfiniteTimeSpan;
        Watcher watcher;
        try
        {
            watcher = store.Watch(type, ns, query["resourceVersion"], Filter(context));
        }
        catch (KubeApiException gone) when (gone.Code == 410)
        {
            // As on the real server: the watch opens, then says ERROR with the 410 Status.
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await WriteEventAsync(context, new WatchEvent("ERROR", gone.ToStatus()));
            return;
        }

        using (watcher)
        {
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            timeoutSource.CancelAfter(timeout);
            using var drop = new CancellationTokenSource(faults.DrawWatchLifetime(context.Request.Headers.UserAgent.ToString()) ?? Timeout.InfiniteTimeSpan);
            using var stopSource = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, drop.Token);
            var stop = stopSource.Token;
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync(stop);
            var first = true;
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    while (watcher.Events.TryRead(out var change))
                    {
                        var sent = table && change.Type != "BOOKMARK"
                            ? change with { Item = TableConverter.Convert(type, [change.Item], change.Item["metadata"]?["resourceVersion"]?.ToString(), time.GetUtcNow(), withColumns: first) }
                            : change;
                        first = false;
                        await WriteEventAsync(context, sent);
                    }

                    var waitForEvent = watcher.Events.WaitToReadAsync(stop).AsTask();
                    var waitForBookmark = bookmarks ? Task.Delay(options.BookmarkInterval, time, stop) : Task.Delay(Timeout.Infinite, stop);
                    var woke = await Task.WhenAny(waitForEvent, waitForBookmark);
                    if (woke == waitForEvent && !await waitForEvent)
                    {
                        return; // the store closed the watch
                    }

                    if (woke == waitForBookmark && bookmarks && !stop.IsCancellationRequested)
                    {
                        var current = store.ResourceVersion;
                        while (watcher.Events.TryRead(out var pending))
                        {
                            await WriteEventAsync(context, pending);
                        }

                        await WriteEventAsync(context, Bookmark(type, current));
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // timeoutSeconds passed, or the client left, or a fault drops the watch.
            }

            if (drop.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
            {
                // A dropped watch ends without a goodbye: the connection is reset.
                faults.WatchDropped();
                context.Abort();
            }
        }
    }

    private static WatchEvent Bookmark(ResourceType type, long version) => new("BOOKMARK", new JsonObject
    {
        ["kind"] = type.Kind,
        ["apiVersion"] = type.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    });

    private static async Task WriteEventAsync(HttpContext context, WatchEvent change)
    {
        var line = new JsonObject { ["type"] = change.Type, ["object"] = change.Item.DeepClone() };
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");
        await context.Response.Body.WriteAsync(bytes);
        await context.Response.Body.FlushAsync();
    }
}
