using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CanaryPilot.Sandbox.KubeApi.Http;

internal static class Responses
{
    public static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.Body);
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted);
    }

    public static async Task<JsonNode?> ReadJsonAsync(HttpContext context, long maxBytes)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is not null && mediaType != ProtobufBody.MediaType && !mediaType.EndsWith("json", StringComparison.Ordinal))
        {
            throw new KubeApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format ({mediaType}); this server reads JSON, and protobuf for kubectl's create commands");
        }

        if (context.Request.ContentLength > maxBytes)
        {
            throw new KubeApiException(413, "RequestEntityTooLarge", $"the request body is {context.Request.ContentLength} bytes; the limit is {maxBytes}");
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length > maxBytes)
        {
            throw new KubeApiException(413, "RequestEntityTooLarge", $"the request body is larger than {maxBytes} bytes");
        }

        if (buffer.Length == 0)
        {
            return null;
        }

        if (mediaType == ProtobufBody.MediaType)
        {
            return ProtobufBody.Decode(buffer.ToArray());
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            throw KubeApiException.BadRequest($"the body of the request is not valid JSON: {e.Message}");
        }
    }
}
