using System.Text.Json;
using System.Text.Json.Serialization;

namespace CanaryPilot.Notifications;

/// <summary>How notifications and gate requests are written as JSON: camelCase names and enum values, no nulls.</summary>
internal static class NotificationJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,

        // Read by programs and people, never embedded in HTML: ">= 99" stays ">= 99".
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },

        // A measurement may be NaN (no evidence); it is sent as "NaN" rather than failing the event.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
