using System.Globalization;
using System.Text.Json.Nodes;

namespace CanaryPilot.Sandbox.KubeApi.Http;

/// <summary>
/// The server-side tables <c>kubectl get</c> asks for: NAME, the CRD's printer columns, AGE.
/// Date columns become ages, as the real server renders them.
/// </summary>
internal static class TableConverter
{
    public static bool Wanted(string? accept) => accept?.Contains("as=Table", StringComparison.Ordinal) == true;

    public static JsonObject Convert(ResourceType type, IEnumerable<JsonObject> items, string? resourceVersion, DateTimeOffset now, bool withColumns = true)
    {
        var columns = Columns(type);
        var table = new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["rows"] = new JsonArray([.. items.Select(i => (JsonNode)Row(columns, i, now))]),
        };
        if (withColumns)
        {
            table["columnDefinitions"] = new JsonArray([.. columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format ?? (c.Name == "Name" ? "name" : ""),
                ["description"] = c.Description ?? "",
                ["priority"] = c.Priority,
            })]);
        }

        return table;
    }

    private static List<PrinterColumn> Columns(ResourceType type)
    {
        var columns = new List<PrinterColumn> { new("Name", "string", ".metadata.name", "Name must be unique within a namespace.") };
        if (type.PrinterColumns.Count > 0)
        {
            columns.AddRange(type.PrinterColumns);
        }
        else
        {
            columns.Add(new PrinterColumn("Age", "date", ".metadata.creationTimestamp", "CreationTimestamp is a timestamp representing the server time when this object was created."));
        }

        return columns;
    }

    private static JsonObject Row(List<PrinterColumn> columns, JsonObject item, DateTimeOffset now) => new()
    {
        ["cells"] = new JsonArray([.. columns.Select(c => Cell(c, JsonPathLite.Evaluate(item, c.JsonPath), now))]),
        ["object"] = item.DeepClone(),
    };

    private static JsonNode? Cell(PrinterColumn column, JsonNode? value, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }

        if (column.Type == "date" && DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return HumanDuration(now - time);
        }

        return value is JsonValue ? value.DeepClone() : value.ToJsonString();
    }

    /// <summary>Ages as kubectl prints them: 45s, 5m10s, 3h, 2d.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return age switch
        {
            { TotalSeconds: < 120 } => $"{(int)age.TotalSeconds}s",
            { TotalMinutes: < 10 } => age.Seconds == 0 ? $"{(int)age.TotalMinutes}m" : $"{(int)age.TotalMinutes}m{age.Seconds}s",
            { TotalHours: < 3 } => age.Minutes == 0 ? $"{(int)age.TotalHours}h" : $"{(int)age.TotalHours}h{age.Minutes}m",
            { TotalHours: < 48 } => $"{(int)age.TotalHours}h",
            _ => $"{(int)age.TotalDays}d",
        };
    }
}
