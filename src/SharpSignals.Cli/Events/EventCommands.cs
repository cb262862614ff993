using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Cli.Events;

/// <summary><c>ssf event types|publish|generate|get</c>.</summary>
internal static class EventCommands
{
    public static Command Create(CliApp app)
    {
        var events = new Command("event", "Publish, generate and look up events.");
        events.Subcommands.Add(Types(app));
        events.Subcommands.Add(Publish(app));
        events.Subcommands.Add(GenerateCommand.Create(app));
        events.Subcommands.Add(Get(app));
        return events.WithExamples(
            "ssf event types",
            "ssf event publish session-revoked --subject email:alice@example.com --field initiating_entity=admin",
            "ssf event generate --type credential-change --count 100 --rate 20",
            "ssf event get JTI");
    }

    private static Command Types(CliApp app)
    {
        var command = new Command("types", "List the event types the tool knows, with their short names.");
        app.SetAction(command, context =>
        {
            var all = EventCatalog.All.OrderBy(d => d.Family).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
            if (context.Json)
            {
                context.WriteJson(new JsonArray([.. all.Select(d => (JsonNode?)new JsonObject { ["name"] = d.Name, ["family"] = d.Family.ToString(), ["uri"] = d.Uri })]));
                return Task.CompletedTask;
            }

            var table = Tables.Of("name", "family", "uri");
            foreach (var d in all)
            {
                table.Row(d.Name, d.Family.ToString(), d.Uri);
            }

            context.Write(table);
            return Task.CompletedTask;
        });
        return command;
    }

    private static Command Publish(CliApp app)
    {
        var type = new Argument<string>("type") { Description = "The event type: a catalog name (session-revoked, account-disabled, prov:create:full, ...) or a URI." };
        var subject = new Option<string?>("--subject") { Description = SubjectInput.Help };
        var fields = FieldsOption();
        var data = new Option<string?>("--data") { Description = "The whole event payload as a JSON object (--field values are applied over it)." };
        var txn = new Option<string?>("--txn") { Description = "A transaction id (txn claim) shared by related events." };
        var toe = new Option<long?>("--toe") { Description = "Time of the event, seconds since the epoch." };
        var project = ProjectOption();
        var command = new Command("publish", "Publish one event; it is checked against its type before it is sent.")
        {
            type, subject, fields, data, txn, toe, project,
        };
        app.SetAction(command, async context =>
        {
            var body = EventBuilder.Build(
                context.Get(type)!,
                EventBuilder.Payload(context.Get(data), context.Get(fields)),
                context.Get(subject) is { } s ? SubjectInput.Parse(s) : null,
                context.Get(txn),
                context.Get(toe));
            var answer = await context.Api.PublishAsync(body, context.Get(project), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(answer);
            }
            else
            {
                context.Line(answer.Str("jti") ?? "");
            }
        });
        return command.WithExamples(
            "ssf event publish session-revoked --subject email:alice@example.com --field initiating_entity=admin --field reason_admin.en=\"Stolen laptop\"",
            "ssf event publish credential-change --subject alice@example.com --field credential_type=password --field change_type=update",
            "ssf event publish account-disabled --subject iss_sub:https://idp.example.com|1234 --field reason=hijacking",
            "ssf event publish prov:create:full --subject scim:/Users/42 --data '{\"data\":{\"userName\":\"alice\"}}'");
    }

    private static Command Get(CliApp app)
    {
        var jti = new Argument<string>("jti") { Description = "The event's jti (as `event publish` printed it)." };
        var command = new Command("get", "Show a stored event: where it came from, where it went, and its claims.") { jti };
        app.SetAction(command, async context =>
        {
            var stored = await context.Api.GetEventAsync(context.Get(jti)!, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(stored);
                return;
            }

            context.Write(Tables.Properties(
            [
                ("jti", stored.Str("jti")),
                ("iss", stored.Str("iss")),
                ("project", stored.Str("project")),
                ("position", stored.Long("position")?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("received", JsonRead.Time(stored.Long("received_at"))),
                ("events", string.Join(", ", stored.Strings("event_types").Select(EventNames.Short))),
                ("subject", SubjectInput.Describe(stored?["claims"]?["sub_id"])),
                ("txn", stored.Str("txn")),
                ("source stream", stored.Str("source_stream_id")),
            ]));
            var deliveries = stored?["deliveries"].Items().ToList() ?? [];
            if (deliveries.Count == 0)
            {
                context.Line("Routed to no stream.");
            }
            else
            {
                var table = Tables.Of("stream", "jti there", "state", "attempts", "queued", "completed", "last error");
                foreach (var d in deliveries)
                {
                    table.Row(d.Str("stream_id"), d.Str("jti"), d.Str("state"), d.Long("attempts")?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        JsonRead.Time(d.Long("queued_at")), JsonRead.Time(d.Long("completed_at")), d.Str("last_error"));
                }

                context.Write(table);
            }

            context.Line("claims:");
            context.WriteJson(stored?["claims"]);
        });
        return command;
    }

    public static Option<string[]> FieldsOption() => new("--field")
    {
        Description = "A payload member NAME=VALUE (dots nest: reason_admin.en=text; JSON values are taken as JSON). Repeatable.",
    };

    public static Option<string?> ProjectOption() => new("--project", "-p")
    {
        Description = "Publish into this project (admin only; clients publish into their own).",
    };
}
