using System.Globalization;
using System.Text;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.OperatorConsole.DeadLetters;

/// <summary>The dead-letter list's filters, from its query string; a project-scoped viewer's project always applies.</summary>
public sealed record DeadLetterFilter(string? Project, string? StreamId, long? Before)
{
    internal static DeadLetterFilter From(IQueryCollection query, ConsoleViewer viewer) => new(
        viewer.Scope(query["project"].FirstOrDefault()),
        query["stream"].FirstOrDefault()?.Trim() is { Length: > 0 } stream ? stream : null,
        long.TryParse(query["before"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var before) && before > 0 ? before : null);

    /// <summary>This list's URL from <paramref name="before"/> on (null: the newest page).</summary>
    public string Url(long? before)
    {
        var parameters = new StringBuilder();
        Add("project", Project);
        Add("stream", StreamId);
        Add("before", before?.ToString(CultureInfo.InvariantCulture));
        return DeadLettersEndpoints.BasePath + (parameters.Length > 0 ? "?" + parameters.ToString(1, parameters.Length - 1) : "");

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
            }
        }
    }
}

/// <summary>One dead letter in the list.</summary>
public sealed record DeadLetterRow(string StreamId, string? Project, string Jti, string? Error, int Attempts, DateTimeOffset QueuedAt)
{
    internal static DeadLetterRow From(DeliveryEntry entry, string? project) =>
        new(entry.StreamId, project, entry.Jti, entry.LastError, entry.Attempts, entry.CreatedAt);

    /// <summary>What its checkbox sends: the stream and the <c>jti</c>, each escaped, so that neither can contain the '/' between them.</summary>
    public string SelectionKey => Key(StreamId, Jti);

    public static string Key(string streamId, string jti) => $"{Uri.EscapeDataString(streamId)}/{Uri.EscapeDataString(jti)}";

    internal static bool TryParseKey(string? key, out string streamId, out string jti)
    {
        streamId = jti = "";
        if (key?.Split('/') is not [var stream, var id] || stream.Length == 0 || id.Length == 0)
        {
            return false;
        }

        streamId = Uri.UnescapeDataString(stream);
        jti = Uri.UnescapeDataString(id);
        return true;
    }
}
