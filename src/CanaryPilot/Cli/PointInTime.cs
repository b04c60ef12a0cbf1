using System.Globalization;
using CanaryPilot.Core.Common;

namespace CanaryPilot.Cli;

/// <summary>
/// A time on the command line: an RFC 3339 timestamp with its offset (<c>2026-05-01T12:00:00Z</c>,
/// <c>2026-05-01T14:00:00.5+02:00</c>), <c>now</c>, or a duration before now (<c>-1h</c>, <c>-90m</c>,
/// <c>-1h30m</c>). Relative times count from the current second; every time is kept to whole
/// milliseconds, which is what Prometheus evaluates at.
/// </summary>
internal static class PointInTime
{
    public const string Hint = "use an RFC 3339 time with its offset such as 2026-05-01T12:00:00Z, now, or a duration before now such as -1h or -90m";

    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>The time <paramref name="text"/> names, relative ones from <paramref name="now"/>; null when it names none.</summary>
    public static DateTimeOffset? Parse(string text, DateTimeOffset now)
    {
        var second = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        var time = text switch
        {
            "now" => second,
            ['-', _, ..] when Duration.TryParse(text[1..], out var ago) && ago > TimeSpan.Zero => second - ago,
            _ when DateTimeOffset.TryParseExact(text.ToUpperInvariant(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) => parsed,
            _ => (DateTimeOffset?)null,
        };
        return time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds()) : null;
    }
}
