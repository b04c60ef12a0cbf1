using System.Globalization;

namespace CanaryPilot.Core.Common;

/// <summary>
/// Durations as Kubernetes and Istio write them (Go's <c>time.ParseDuration</c>): a sequence of
/// decimal numbers, each with a unit — <c>500ms</c>, <c>30s</c>, <c>1m30s</c>, <c>1.5h</c>.
/// </summary>
public static class Duration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", TimeSpan.TicksPerMillisecond / 1e6),
        ("us", TimeSpan.TicksPerMillisecond / 1e3),
        ("µs", TimeSpan.TicksPerMillisecond / 1e3),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond),
        ("m", TimeSpan.TicksPerMinute),
        ("h", TimeSpan.TicksPerHour),
    ];

    public const string Hint = "use a number and a unit, like 500ms, 30s, 1m30s or 2h";

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text is "0")
        {
            return true;
        }

        var rest = text.AsSpan();
        var negative = rest.StartsWith("-");
        if (negative || rest.StartsWith("+"))
        {
            rest = rest[1..];
        }

        if (rest.IsEmpty)
        {
            return false;
        }

        double ticks = 0;
        while (!rest.IsEmpty)
        {
            var numberLength = 0;
            while (numberLength < rest.Length && (char.IsAsciiDigit(rest[numberLength]) || rest[numberLength] == '.'))
            {
                numberLength++;
            }

            if (numberLength == 0 || !double.TryParse(rest[..numberLength], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            rest = rest[numberLength..];
            var unit = UnitAt(rest);
            if (unit < 0)
            {
                return false;
            }

            ticks += number * Units[unit].Ticks;
            rest = rest[Units[unit].Unit.Length..];
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }

    private static int UnitAt(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < Units.Length; i++)
        {
            var unit = Units[i].Unit;
            if (text.StartsWith(unit, StringComparison.Ordinal) && (text.Length == unit.Length || !char.IsAsciiLetter(text[unit.Length])))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Formats the way users write durations: <c>1m30s</c>, <c>500ms</c>.</summary>
    public static string Format(TimeSpan value)
    {
        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return $"{value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";
        }

        var parts = new List<string>(3);
        if (value.Hours + (value.Days * 24) is var h and > 0)
        {
            parts.Add($"{h}h");
        }

        if (value.Minutes > 0)
        {
            parts.Add($"{value.Minutes}m");
        }

        var seconds = value.Seconds + (value.Milliseconds / 1000.0);
        if (seconds > 0)
        {
            parts.Add($"{seconds.ToString(CultureInfo.InvariantCulture)}s");
        }

        return string.Concat(parts);
    }
}
