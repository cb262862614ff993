using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Operations;

/// <summary><c>ssf deadletter list|retry|discard</c> (admin): events a push stream gave up on.</summary>
internal static class DeadLetterCommands
{
    public static Command Create(CliApp app)
    {
        var deadletter = new Command("deadletter", "List, retry or discard a stream's dead letters (admin).");
        deadletter.Subcommands.Add(List(app));
        deadletter.Subcommands.Add(Settle(app, "retry", "Queue dead letters for delivery again."));
        deadletter.Subcommands.Add(Settle(app, "discard", "Drop dead letters for good."));
        return deadletter.WithExamples(
            "ssf deadletter list STREAM_ID",
            "ssf deadletter retry STREAM_ID --all",
            "ssf deadletter discard STREAM_ID --jti JTI1 --jti JTI2");
    }

    private static Command List(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream." };
        var max = new Option<int>("--max", "-n") { Description = "At most this many (1-10000).", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List a stream's dead letters.") { id, max };
        app.SetAction(command, async context =>
        {
            var answer = await context.Api.DeadLettersAsync(context.Get(id)!, context.Get(max), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(answer);
                return;
            }

            var table = Tables.Of("jti", "position", "attempts", "queued", "error");
            foreach (var d in answer.Items())
            {
                table.Row(d.Str("jti"), d.Long("position")?.ToString(CultureInfo.InvariantCulture), d.Long("attempts")?.ToString(CultureInfo.InvariantCulture), JsonRead.Time(d.Long("queued_at")), d.Str("error"));
            }

            context.Write(table);
            context.Line($"{answer.Items().Count()} dead letter(s).");
        });
        return command;
    }

    private static Command Settle(CliApp app, string action, string description)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream." };
        var jtis = new Option<string[]>("--jti") { Description = "A dead letter's jti; repeatable.", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Every dead letter of the stream." };
        var command = new Command(action, description) { id, jtis, all };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            var given = context.Get(jtis) ?? [];
            if (given.Length > 0 == context.Get(all))
            {
                throw CliException.Usage("give --jti JTI (repeatable) or --all");
            }

            var answer = await context.Api.SettleDeadLettersAsync(streamId, action, given.Length > 0 ? given : null, context.CancellationToken);
            var count = answer.Long("count") ?? 0;
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, ["action"] = action, ["count"] = count });
            }
            else
            {
                context.Done(action == "retry" ? $"Queued {count} dead letter(s) for delivery again." : $"Discarded {count} dead letter(s).");
            }
        });
        return command;
    }
}
