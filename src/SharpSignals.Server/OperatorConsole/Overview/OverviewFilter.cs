using System.Globalization;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.Routing;

namespace SharpSignals.Server.OperatorConsole.Overview;

/// <summary>
/// The overview's filters, from its query string: project (a project-scoped viewer's own always
/// applies), direction, status, <c>Text</c> (part of a stream id or description, any case),
/// <c>FailingOnly</c> (the streams <see cref="OverviewRow.IsFailing"/> marks) and the page.
/// </summary>
public sealed record OverviewFilter(string? Project, string? Direction, string? Status, string? Text, bool FailingOnly, int PageIndex)
{
    /// <summary>The longest text filter kept; a stream id is at most this long anyway.</summary>
    public const int MaxText = 200;

    public static OverviewFilter From(IQueryCollection query, ConsoleViewer viewer) => new(
        viewer.Scope(query["project"].FirstOrDefault()),
        query["direction"].FirstOrDefault() is "outbound" or "inbound" ? query["direction"].FirstOrDefault() : null,
        query["status"].FirstOrDefault() is "enabled" or "paused" or "disabled" ? query["status"].FirstOrDefault() : null,
        query["q"].FirstOrDefault()?.Trim() is { Length: > 0 and <= MaxText } text ? text : null,
        query["failing"].FirstOrDefault() is "1" or "on" or "true",
        int.TryParse(query["page"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is > 0 and < 1_000_000 ? index - 1 : 0);

    /// <summary>Whether a stream passes the filters that need nothing but its configuration (all but <see cref="FailingOnly"/>).</summary>
    internal bool Matches(StreamRoute stream) =>
        (Project is null || stream.Project == Project)
        && (Direction is null || stream.Configuration.Direction == Direction)
        && (Status is null || stream.Status == Status)
        && (Text is null
            || stream.StreamId.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || (stream.Configuration.Description?.Contains(Text, StringComparison.OrdinalIgnoreCase) ?? false));

    /// <summary>The overview's URL with these filters on page <paramref name="index"/> (from 0).</summary>
    public string Url(int index)
    {
        var parameters = new List<string>();
        Add("project", Project);
        Add("direction", Direction);
        Add("status", Status);
        Add("q", Text);
        Add("failing", FailingOnly ? "1" : null);
        Add("page", index > 0 ? (index + 1).ToString(CultureInfo.InvariantCulture) : null);
        return ConsoleSession.BasePath + (parameters.Count > 0 ? "?" + string.Join('&', parameters) : "");

        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parameters.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }
    }
}
