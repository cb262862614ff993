using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;

namespace SharpSignals.Cli.Streams;

/// <summary><c>ssf subject add|remove</c> (SSF 1.0 §8.1.3).</summary>
internal static class SubjectCommands
{
    public static Command Create(CliApp app)
    {
        var subject = new Command("subject", "Add subjects to a stream or remove them.");
        subject.Subcommands.Add(Change(app, "add"));
        subject.Subcommands.Add(Change(app, "remove"));
        return subject.WithExamples(
            "ssf subject add STREAM_ID email:alice@example.com",
            "ssf subject remove STREAM_ID iss_sub:https://idp.example.com|1234",
            "ssf subject add STREAM_ID '{\"format\":\"opaque\",\"id\":\"u-42\"}'");
    }

    private static Command Change(CliApp app, string verb)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream." };
        var subjectArgument = new Argument<string>("subject") { Description = SubjectInput.Help };
        var unverified = new Option<bool>("--unverified") { Description = "Mark the subject as not verified by the receiver (add only)." };
        var command = new Command(verb, verb == "add"
            ? "Add a subject to a stream: under the server's default_subjects NONE its events come from now on; under ALL (every subject already comes) it takes back a removal."
            : "Remove a subject from a stream: its events stop from now on, also under default_subjects ALL for a subject never added.") { id, subjectArgument };
        if (verb == "add")
        {
            command.Options.Add(unverified);
        }

        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            var subject = SubjectInput.Parse(context.Get(subjectArgument)!);
            if (verb == "add")
            {
                await context.Api.AddSubjectAsync(streamId, subject, !context.Get(unverified), context.CancellationToken);
            }
            else
            {
                await context.Api.RemoveSubjectAsync(streamId, subject, context.CancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, [verb == "add" ? "added" : "removed"] = subject });
            }
            else
            {
                context.Done($"{(verb == "add" ? "Added" : "Removed")} {SubjectInput.Describe(subject)} {(verb == "add" ? "to" : "from")} stream {streamId}.");
            }
        });
        return command;
    }
}
