using System.Globalization;

namespace SharpSignals.Cli.Shell;

/// <summary>
/// Durations as operators type them: <c>90s</c>, <c>30m</c>, <c>24h</c>, <c>7d</c>, or plain seconds; and
/// times as an ISO 8601 time, seconds since the epoch, or an age.
/// </summary>
internal static class Durations
{
    public static TimeSpan Parse(string text, string option)
    {
        var trimmed = text.Trim();
        var unit = trimmed.Length > 0 && char.IsLetter(trimmed[^1]) ? char.ToLowerInvariant(trimmed[^1]) : 's';
        var number = char.IsLetter(trimmed.Length > 0 ? trimmed[^1] : '0') ? trimmed[..^1] : trimmed;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw CliException.Usage($"{option} takes a positive duration such as 90s, 30m, 24h or 7d, not '{text}'");
        }

        return unit switch
        {
            's' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => throw CliException.Usage($"{option} takes a duration ending in s, m, h or d, not '{text}'"),
        };
    }

    /// <summary>Seconds since the epoch from an ISO 8601 time, a number of seconds, or an age before <paramref name="now"/>.</summary>
    public static long ParseTime(string text, DateTimeOffset now, string option)
    {
        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return at.ToUnixTimeSeconds();
        }

        if (trimmed.Length > 1 && char.IsLetter(trimmed[^1]))
        {
            return (now - Parse(trimmed, option)).ToUnixTimeSeconds();
        }

        throw CliException.Usage($"{option} takes an ISO 8601 time, seconds since the epoch or an age such as 30m, not '{text}'");
    }
}
