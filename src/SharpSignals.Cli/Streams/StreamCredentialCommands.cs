using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Streams;

/// <summary><c>ssf stream credential issue|revoke ID</c>: a stream's own credential for its poll or push endpoint (docs/API.md, "Stream credentials").</summary>
internal static class StreamCredentialCommands
{
    public static Command Create(CliApp app)
    {
        var command = new Command("credential", "Issue or revoke a stream's own credential: it does not expire, and works only at that stream's poll (outbound) or push (inbound) endpoint.");
        command.Subcommands.Add(Issue(app));
        command.Subcommands.Add(Revoke(app));
        return command.WithExamples(
            "ssf stream credential issue STREAM_ID",
            "ssf stream credential revoke STREAM_ID");
    }

    private static Command Issue(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream." };
        var command = new Command("issue", "Issue a new credential, shown this once; the stream's credential before it stops working.") { id };
        app.SetAction(command, async context =>
        {
            var issued = await context.Api.IssueStreamCredentialAsync(context.Get(id)!, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(issued);
                return;
            }

            context.Write(Tables.Properties([("endpoint", issued.Str("endpoint_url")), ("authorization", issued.Str("authorization_header"))]));
            context.Done("Issued: it is shown only now, and the stream's credential before it no longer works.");
        });
        return command.WithExamples(
            "ssf stream credential issue STREAM_ID",
            "ssf stream credential issue STREAM_ID --json");
    }

    private static Command Revoke(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream." };
        var command = new Command("revoke", "Revoke the stream's credential: nothing is accepted for the stream's endpoint until one is issued.") { id };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            await context.Api.RevokeStreamCredentialAsync(streamId, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, ["revoked"] = true });
            }
            else
            {
                context.Done($"Revoked the credential of stream {streamId}.");
            }
        });
        return command.WithExamples("ssf stream credential revoke STREAM_ID");
    }
}
