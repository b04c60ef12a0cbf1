using System.Globalization;
using System.Net;
using System.Text.Json;
using CanaryPilot.Core.Analysis;

namespace CanaryPilot.Prometheus;

/// <summary>Reads the Prometheus HTTP API's JSON envelope: <c>{"status", "data": {"resultType", "result"}, "errorType", "error", "warnings"}</c>.</summary>
internal static class ResponseParser
{
    public static QueryResult Parse(HttpAnswer answer)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
            return (int)answer.Status is >= 200 and < 300
                ? QueryResult.Failed(ProviderErrorKind.InvalidResponse, $"the answer is not valid JSON (HTTP {(int)answer.Status}, {answer.Body.Length} bytes)")
                : QueryResult.Failed(ProviderErrorKind.HttpStatus, $"HTTP {(int)answer.Status} {answer.Status}");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, answer.Status);
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or FormatException or JsonException)
            {
                return QueryResult.Failed(ProviderErrorKind.InvalidResponse, $"the answer is not a Prometheus API response: {e.Message}");
            }
        }
    }

    private static QueryResult Read(JsonElement root, HttpStatusCode status)
    {
        var warnings = root.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array
            ? w.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];
        var state = root.TryGetProperty("status", out var s) ? s.GetString() : null;
        if (state == "error")
        {
            var errorType = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
            var message = root.TryGetProperty("error", out var e) ? e.GetString() : null;
            return QueryResult.Failed(ProviderErrorKind.QueryRejected, $"Prometheus refused the query ({errorType ?? "no errorType"}): {message ?? "no message"}", errorType) with { Warnings = warnings };
        }

        if (state != "success" || (int)status is < 200 or >= 300)
        {
            return QueryResult.Failed(ProviderErrorKind.HttpStatus, $"HTTP {(int)status} {status} with status \"{state}\"");
        }

        var data = root.GetProperty("data");
        var result = data.GetProperty("result");
        var type = data.GetProperty("resultType").GetString() switch
        {
            "vector" => ResultType.Vector,
            "scalar" => ResultType.Scalar,
            "matrix" => ResultType.Matrix,
            "string" => ResultType.Text,
            var other => throw new FormatException($"unknown resultType \"{other}\""),
        };
        IReadOnlyList<Series> series = type switch
        {
            ResultType.Vector => [.. result.EnumerateArray().Select(item => new Series(Labels(item), [ReadPoint(item.GetProperty("value"))]))],
            ResultType.Matrix => [.. result.EnumerateArray().Select(item => new Series(Labels(item), [.. item.GetProperty("values").EnumerateArray().Select(ReadPoint)]))],
            ResultType.Scalar => [new Series(new Dictionary<string, string>(), [ReadPoint(result)])],
            _ => [],
        };
        return new QueryResult { Type = type, Series = series, Warnings = warnings };
    }

    private static Dictionary<string, string> Labels(JsonElement item) =>
        item.TryGetProperty("metric", out var metric)
            ? metric.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "", StringComparer.Ordinal)
            : [];

    /// <summary><c>[unixSeconds, "value"]</c>, the value a string so that NaN and ±Inf survive JSON.</summary>
    private static Point ReadPoint(JsonElement pair)
    {
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2)
        {
            throw new FormatException("a sample is not a [time, value] pair");
        }

        var seconds = pair[0].GetDouble();
        var text = pair[1].GetString() ?? throw new FormatException("a sample value is not a string");
        var value = text switch
        {
            "NaN" => double.NaN,
            "+Inf" or "Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new Point(DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000)), value);
    }
}
