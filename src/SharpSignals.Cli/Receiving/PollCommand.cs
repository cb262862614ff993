using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;
using SharpSignals.Client;

namespace SharpSignals.Cli.Receiving;

/// <summary><c>ssf poll STREAM [--ack] [--max N] [--wait]</c>: one RFC 8936 poll.</summary>
internal static class PollCommand
{
    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The poll stream." };
        var ack = new Option<bool>("--ack") { Description = "Acknowledge the events received, so they are not delivered again." };
        var max = new Option<int?>("--max", "-n") { Description = "At most this many events." };
        var wait = new Option<bool>("--wait") { Description = "Long poll: wait for events when none are queued." };
        var command = new Command("poll", "Poll a stream once and show the events (RFC 8936).") { id, ack, max, wait };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            if (context.Get(max) is < 0)
            {
                throw CliException.Usage("--max must not be negative");
            }

            var answer = await context.Api.PollAsync(streamId, new PollRequest
            {
                MaxEvents = context.Get(max),
                ReturnImmediately = !context.Get(wait),
            }, context.CancellationToken);
            var sets = ReceivedSets.Read(answer);
            var acknowledged = new List<string>();
            if (context.Get(ack) && sets.Count > 0)
            {
                acknowledged.AddRange(sets.Select(s => s.Jti));
                await context.Api.PollAsync(streamId, new PollRequest { Ack = acknowledged, MaxEvents = 0, ReturnImmediately = true }, context.CancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["sets"] = answer?["sets"]?.DeepClone() ?? new JsonObject(),
                    ["moreAvailable"] = answer.Bool("moreAvailable") ?? false,
                    ["acknowledged"] = ReceivedSets.Array(acknowledged),
                });
                return;
            }

            if (sets.Count > 0)
            {
                var table = Tables.Of("iat", "jti", "events", "subject");
                foreach (var (jti, token) in sets)
                {
                    var set = SetSummary.TryRead(token);
                    table.Row(set?.IssuedAtText, jti, set?.EventNamesText, set?.SubjectText);
                }

                context.Write(table);
            }

            context.Line($"{ReceivedSets.Count(sets.Count)}{ReceivedSets.Describe(answer)}{(acknowledged.Count > 0 ? $", {acknowledged.Count} acknowledged" : "")}.");
        });
        return command.WithExamples("ssf poll STREAM_ID", "ssf poll STREAM_ID --ack --max 100", "ssf poll STREAM_ID --json | jq -r '.sets | keys[]'");
    }
}
