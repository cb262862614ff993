using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Operations;

/// <summary><c>ssf replay STREAM --from TIME | --jti J | --position N [--dry-run]</c> (admin).</summary>
internal static class ReplayCommand
{
    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream to deliver again." };
        var from = new Option<string?>("--from") { Description = "From this time: ISO 8601 (2025-01-31T12:00:00Z), seconds since the epoch, or an age (30m, 2h, 1d ago)." };
        var jti = new Option<string?>("--jti") { Description = "From this event (inclusive), by the jti the stream delivered it with (poll shows it)." };
        var position = new Option<long?>("--position") { Description = "From this position in the event log." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only count the events that would be sent again." };
        var command = new Command("replay", "Deliver a stream's events again, in order, from a time, an event or a position (admin).") { id, from, jti, position, dryRun };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            var body = new JsonObject();
            if (context.Get(from) is { } time)
            {
                body["from_time"] = Durations.ParseTime(time, context.Environment.Time.GetUtcNow(), "--from");
            }

            if (context.Get(jti) is { } fromJti)
            {
                body["from_jti"] = fromJti;
            }

            if (context.Get(position) is { } fromPosition)
            {
                body["from_position"] = fromPosition;
            }

            if (body.Count != 1)
            {
                throw CliException.Usage("give exactly one of --from TIME, --jti JTI or --position N");
            }

            var dry = context.Get(dryRun);
            if (dry)
            {
                body["dry_run"] = true;
            }

            var answer = await context.Api.ReplayAsync(streamId, body, context.CancellationToken);
            var count = answer.Long("count") ?? 0;
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, ["count"] = count, ["dry_run"] = dry });
            }
            else if (dry)
            {
                context.Line($"Would send {count} event{(count == 1 ? "" : "s")} again on stream {streamId} (dry run: nothing changed).");
            }
            else
            {
                context.Done($"Queued {count} event{(count == 1 ? "" : "s")} for delivery again on stream {streamId}.");
            }
        });
        return command.WithExamples(
            "ssf replay STREAM_ID --from 2h --dry-run",
            "ssf replay STREAM_ID --from 2025-01-31T12:00:00Z",
            "ssf replay STREAM_ID --jti 4f9c...",
            "ssf replay STREAM_ID --position 1");
    }
}
