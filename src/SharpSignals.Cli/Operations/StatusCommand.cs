using System.CommandLine;
using System.Globalization;
using SharpSignals.Cli.Shell;
using Spectre.Console;

namespace SharpSignals.Cli.Operations;

/// <summary><c>ssf status</c> (admin): every stream with its status, backlog, oldest pending event and last delivery error.</summary>
internal static class StatusCommand
{
    public static Command Create(CliApp app)
    {
        var project = new Option<string?>("--project", "-p") { Description = "Only this project's streams." };
        var command = new Command("status", "Show every stream with its status, backlog, oldest pending age and last delivery error (admin).") { project };
        app.SetAction(command, async context =>
        {
            var streams = await context.Api.AdminStreamsAsync(context.Get(project), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(streams);
                return;
            }

            var now = context.Environment.Time.GetUtcNow();
            var table = Tables.Of("stream_id", "project", "direction", "status", "pending", "oldest pending", "dead letters", "last error");
            var rows = streams.Items().ToList();
            foreach (var s in rows)
            {
                var oldest = s.Long("oldest_pending_at") is { } at ? JsonRead.Age(now - DateTimeOffset.FromUnixTimeSeconds(at)) : "";
                var status = s.Str("status") ?? "";
                table.AddRow(
                    Markup.Escape(s.Str("stream_id") ?? ""),
                    Markup.Escape(s.Str("project") ?? ""),
                    Markup.Escape(s.Str("direction") ?? ""),
                    status switch
                    {
                        "enabled" => "[green]enabled[/]",
                        "paused" => "[yellow]paused[/]",
                        _ => "[red]" + Markup.Escape(status) + "[/]",
                    },
                    (s.Long("pending") ?? 0).ToString(CultureInfo.InvariantCulture),
                    oldest,
                    (s.Long("dead_letters") ?? 0) is var dead and > 0 ? $"[red]{dead}[/]" : "0",
                    Markup.Escape(s.Str("last_error") ?? ""));
            }

            context.Write(table);
            context.Line($"{rows.Count} stream(s).");
        });
        return command.WithExamples("ssf status", "ssf status --project demo --json");
    }
}
