using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi;

/// <summary>An API error, answered as the <c>Status</c> object the real server sends.</summary>
public sealed class KubeApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    public JsonObject ToStatus() => Status.Failure(Code, Reason, Message, Details);

    public static KubeApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.Plural}{Qualified(type)} \"{name}\" not found", DetailsOf(type, name));

    public static KubeApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.Plural}{Qualified(type)} \"{name}\" already exists", DetailsOf(type, name));

    public static KubeApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.Plural}{Qualified(type)} \"{name}\": the object has been modified; please apply your changes to the latest version and try again", DetailsOf(type, name));

    public static KubeApiException Invalid(ResourceType type, string name, string field, string message)
    {
        var details = DetailsOf(type, name);
        details["causes"] = new JsonArray(new JsonObject { ["reason"] = "FieldValueInvalid", ["message"] = message, ["field"] = field });
        return new(422, "Invalid", $"{type.Kind}{(type.Group.Length == 0 ? "" : "." + type.Group)} \"{name}\" is invalid: {field}: {message}", details);
    }

    public static KubeApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubeApiException MethodNotAllowed(string message) => new(405, "MethodNotAllowed", message);

    public static KubeApiException Gone(string message) => new(410, "Expired", message);

    private static string Qualified(ResourceType type) => type.Group.Length == 0 ? "" : "." + type.Group;

    private static JsonObject DetailsOf(ResourceType type, string name) => new()
    {
        ["name"] = name,
        ["group"] = type.Group,
        ["kind"] = type.Plural,
    };
}

/// <summary>The <c>meta.k8s.io/v1</c> Status object.</summary>
public static class Status
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return status;
    }

    public static JsonObject Success(JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        return status;
    }
}
