using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;
using SharpSignals.Tokens;

namespace SharpSignals.Cli.Streams;

/// <summary><c>ssf stream ...</c>: the SSF 1.0 §8.1 stream management API.</summary>
internal static class StreamCommands
{
    private static readonly string[] Statuses = ["enabled", "paused", "disabled"];

    public static Command Create(CliApp app)
    {
        var stream = new Command("stream", "Create, inspect, change, verify, export and import streams.");
        stream.Subcommands.Add(StreamCreateCommand.Create(app));
        stream.Subcommands.Add(List(app));
        stream.Subcommands.Add(Get(app));
        stream.Subcommands.Add(Update(app));
        stream.Subcommands.Add(Delete(app));
        stream.Subcommands.Add(Status(app));
        stream.Subcommands.Add(Verify(app));
        stream.Subcommands.Add(StreamExport.Create(app));
        stream.Subcommands.Add(StreamImport.Create(app));
        stream.Subcommands.Add(StreamCredentialCommands.Create(app));
        return stream.WithExamples(
            "ssf stream create --events session-revoked",
            "ssf stream list",
            "ssf stream status STREAM_ID --set paused --reason maintenance",
            "ssf stream verify STREAM_ID",
            "ssf stream export STREAM_ID --format i2scim -o stream.json",
            "ssf stream import --format i2scim pub-stream.json -o pub-stream.json");
    }

    private static Argument<string> StreamId() => new("stream-id") { Description = "The stream's id." };

    private static Command List(CliApp app)
    {
        var project = new Option<string?>("--project", "-p") { Description = "Only this project's streams (admin)." };
        var command = new Command("list", "List the streams the credential can see.") { project };
        app.SetAction(command, async context =>
        {
            var streams = await context.Api.ListStreamsAsync(context.Get(project), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(streams);
                return;
            }

            var table = Tables.Of("stream_id", "direction", "delivery", "project", "events", "description");
            foreach (var s in streams.Items())
            {
                table.Row(s.Str("stream_id"), s.Str("direction"), StreamView.Method(s["delivery"].Str("method")), s.Str("project"),
                    string.Join(", ", s.Strings("events_delivered").Select(EventNames.Short)), s.Str("description"));
            }

            context.Write(table);
        });
        return command;
    }

    private static Command Get(CliApp app)
    {
        var id = StreamId();
        var command = new Command("get", "Show a stream's configuration.") { id };
        app.SetAction(command, async context =>
        {
            var stream = await context.Api.GetStreamAsync(context.Get(id)!, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(stream);
            }
            else
            {
                context.Write(Tables.Properties(StreamView.Rows(stream)));
            }
        });
        return command;
    }

    private static Command Update(CliApp app)
    {
        var id = StreamId();
        var events = StreamCreateCommand.EventsOption();
        var description = new Option<string?>("--description") { Description = "A new description." };
        var routeMode = StreamCreateCommand.RouteModeOption();
        var endpoint = new Option<string?>("--endpoint") { Description = "Outbound push: a new receiver URL." };
        var authorization = new Option<string?>("--authorization") { Description = "Outbound push: a new Authorization header value." };
        var replace = new Option<bool>("--replace") { Description = "Replace the configuration (PUT, SSF 1.0 §8.1.1.4): members not given return to their defaults." };
        var command = new Command("update", "Change a stream (PATCH; --replace for PUT).") { id, events, description, routeMode, endpoint, authorization, replace };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            var body = new JsonObject { ["stream_id"] = streamId, ["description"] = context.Get(description), ["route_mode"] = context.Get(routeMode) };
            if (context.Get(events) is { Length: > 0 } given)
            {
                body["events_requested"] = new JsonArray([.. EventNames.ResolveAll(given).Select(e => (JsonNode?)e)]);
            }

            var replacing = context.Get(replace);
            if (context.Get(endpoint) is not null || context.Get(authorization) is not null || replacing)
            {
                // The delivery object is replaced whole: keep the method and whatever was not given.
                var current = await context.Api.GetStreamAsync(streamId, context.CancellationToken);
                var method = current?["delivery"].Str("method") ?? DeliveryMethods.Poll;
                if (current.Str("direction") != "inbound")
                {
                    body["delivery"] = new JsonObject
                    {
                        ["method"] = method,
                        ["endpoint_url"] = method == DeliveryMethods.Push ? context.Get(endpoint) ?? current?["delivery"].Str("endpoint_url") : null,
                        ["authorization_header"] = context.Get(authorization),
                    };
                }
            }

            if (body.Count(p => p.Value is not null) == 1 && !replacing)
            {
                throw CliException.Usage("nothing to change: give --events, --description, --route-mode, --endpoint or --authorization");
            }

            var updated = await context.Api.UpdateStreamAsync(Compact(body), replacing, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(updated);
                return;
            }

            context.Write(Tables.Properties(StreamView.Rows(updated)));
            context.Done($"Updated stream {streamId}.");
        });
        return command.WithExamples(
            "ssf stream update STREAM_ID --events session-revoked,credential-change",
            "ssf stream update STREAM_ID --endpoint https://rx.example.com/v2/events --authorization \"Bearer new\"");
    }

    private static Command Delete(CliApp app)
    {
        var id = StreamId();
        var command = new Command("delete", "Delete a stream and everything queued on it.") { id };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            await context.Api.DeleteStreamAsync(streamId, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["deleted"] = streamId });
            }
            else
            {
                context.Done($"Deleted stream {streamId}.");
            }
        });
        return command;
    }

    private static Command Status(CliApp app)
    {
        var id = StreamId();
        var set = new Option<string?>("--set") { Description = "Change the status: enabled, paused or disabled." };
        set.AcceptOnlyFromAmong(Statuses);
        var reason = new Option<string?>("--reason") { Description = "Why the status changes (sent to the receiver)." };
        var command = new Command("status", "Show or change a stream's status (SSF 1.0 §8.1.2).") { id, set, reason };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            if (context.Get(reason) is not null && context.Get(set) is null)
            {
                throw CliException.Usage("--reason goes with --set");
            }

            var status = context.Get(set) is { } wanted
                ? await context.Api.SetStatusAsync(streamId, wanted, context.Get(reason), context.CancellationToken)
                : await context.Api.GetStatusAsync(streamId, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(status);
            }
            else
            {
                context.Write(Tables.Properties([("stream_id", status.Str("stream_id")), ("status", status.Str("status")), ("reason", status.Str("reason"))]));
            }
        });
        return command.WithExamples("ssf stream status STREAM_ID", "ssf stream status STREAM_ID --set paused --reason \"maintenance window\"");
    }

    private static Command Verify(CliApp app)
    {
        var id = StreamId();
        var state = new Option<string?>("--state") { Description = "An opaque value the verification event carries back." };
        var command = new Command("verify", "Ask the transmitter to send a verification event on the stream (SSF 1.0 §8.1.4).") { id, state };
        app.SetAction(command, async context =>
        {
            var streamId = context.Get(id)!;
            await context.Api.VerifyAsync(streamId, context.Get(state), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, ["state"] = context.Get(state), ["requested"] = true });
            }
            else
            {
                context.Done($"Verification requested on stream {streamId}: a verification event is on its way.");
            }
        });
        return command.WithExamples("ssf stream verify STREAM_ID --state check-1");
    }

    private static JsonObject Compact(JsonObject body)
    {
        foreach (var name in body.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            body.Remove(name);
        }

        if (body["delivery"] is JsonObject delivery)
        {
            Compact(delivery);
        }

        return body;
    }
}
