using System.Globalization;
using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Cli.Events;

/// <summary><c>ssf event types|publish|generate|get|search</c>.</summary>
internal static class EventCommands
{
    public static Command Create(CliApp app)
    {
        var events = new Command("event", "Publish, generate and look up events.");
        events.Subcommands.Add(Types(app));
        events.Subcommands.Add(Publish(app));
        events.Subcommands.Add(GenerateCommand.Create(app));
        events.Subcommands.Add(Get(app));
        events.Subcommands.Add(Search(app));
        return events.WithExamples(
            "ssf event types",
            "ssf event publish session-revoked --subject email:alice@example.com --field initiating_entity=admin",
            "ssf event generate --type credential-change --count 100 --rate 20",
            "ssf event get JTI",
            "ssf event search --project p1 --type session-revoked --since 1h");
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
        var command = new Command("publish", "Publish one event; it is checked against its type before it is sent. Prints its jti, and on stderr how many streams it was routed to.")
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
                // The jti alone goes to stdout, for scripts; where it went to stderr, so that an
                // event no stream asked for is seen (the server answers with it, and 0 is legal).
                context.Line(answer.Str("jti") ?? "");
                if (answer.Long("streams") is 0)
                {
                    context.Warn("routed to no stream: no stream of the project asks for this event type and subject");
                }
                else if (answer.Long("streams") is { } count)
                {
                    context.Environment.Error.WriteLine(count == 1 ? "routed to 1 stream" : $"routed to {count.ToString(CultureInfo.InvariantCulture)} streams");
                }
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
                ("position", stored.Long("position")?.ToString(CultureInfo.InvariantCulture)),
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
                    table.Row(d.Str("stream_id"), d.Str("jti"), d.Str("state"), d.Long("attempts")?.ToString(CultureInfo.InvariantCulture),
                        JsonRead.Time(d.Long("queued_at")), JsonRead.Time(d.Long("completed_at")), d.Str("last_error"));
                }

                context.Write(table);
                foreach (var d in deliveries.Where(d => d?["attempt_log"].Items().Any() == true))
                {
                    context.Line($"attempts on {d.Str("stream_id")}:");
                    context.Write(AttemptTable(d["attempt_log"]));
                }
            }

            context.Line("claims:");
            context.WriteJson(stored?["claims"]);
        });
        return command;
    }

    /// <summary>A delivery's kept attempts, oldest first: what the receiver answered each time.</summary>
    private static Spectre.Console.Table AttemptTable(JsonNode? attempts)
    {
        var table = Tables.Of("at", "status", "err", "took", "answer");
        foreach (var a in attempts.Items())
        {
            var at = a["at"] is JsonValue v && v.TryGetValue<double>(out var seconds)
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000)).ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)
                : "";
            var took = a["duration_ms"] is JsonValue d && d.TryGetValue<double>(out var ms) ? $"{ms.ToString("0.#", CultureInfo.InvariantCulture)} ms" : "";
            var err = a.Str("description") is { } description ? $"{a.Str("err")}: {description}" : a.Str("err");
            table.Row(at, a.Long("status")?.ToString(CultureInfo.InvariantCulture), err, took, a.Str("response"));
        }

        return table;
    }

    private static Command Search(CliApp app)
    {
        var project = new Option<string?>("--project", "-p") { Description = "Only this project's events." };
        var type = new Option<string?>("--type", "-t") { Description = "Only events of this type: a short name (session-revoked) or a URI." };
        var txn = new Option<string?>("--txn") { Description = "Only events with this txn." };
        var subject = new Option<string?>("--subject") { Description = "Only events about this subject: a value of its sub_id (alice@example.com) or format:value (email:alice@example.com)." };
        var source = new Option<string?>("--source") { Description = "Only events that came in on this inbound stream." };
        var since = new Option<string?>("--since") { Description = "Received at or after: ISO 8601, seconds since the epoch, or an age (30m, 2h, 1d ago)." };
        var until = new Option<string?>("--until") { Description = "Received before: as --since." };
        var before = new Option<long?>("--before") { Description = "Only positions below this: the next page, as the last one printed it." };
        var limit = new Option<int>("--limit", "-n") { Description = "At most this many (1-500).", DefaultValueFactory = _ => 50 };
        var command = new Command("search", "Find stored events, newest first (admin).") { project, type, txn, subject, source, since, until, before, limit };
        app.SetAction(command, async context =>
        {
            var now = context.Environment.Time.GetUtcNow();
            var eventType = context.Get(type) is { } t ? EventNames.Resolve(t) : null;
            var page = await context.Api.SearchEventsAsync(
                [
                    ("project", context.Get(project)),
                    ("event_type", eventType),
                    ("txn", context.Get(txn)),
                    ("subject", context.Get(subject)),
                    ("source_stream_id", context.Get(source)),
                    ("since", context.Get(since) is { } s ? Durations.ParseTime(s, now, "--since").ToString(CultureInfo.InvariantCulture) : null),
                    ("until", context.Get(until) is { } u ? Durations.ParseTime(u, now, "--until").ToString(CultureInfo.InvariantCulture) : null),
                    ("before", context.Get(before)?.ToString(CultureInfo.InvariantCulture)),
                    ("limit", context.Get(limit).ToString(CultureInfo.InvariantCulture)),
                ],
                context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(page);
                return;
            }

            var table = Tables.Of("position", "received", "project", "events", "jti", "txn", "source stream");
            foreach (var e in page?["events"].Items() ?? [])
            {
                table.Row(e.Long("position")?.ToString(CultureInfo.InvariantCulture), JsonRead.Time(e.Long("received_at")), e.Str("project"),
                    string.Join(", ", e.Strings("event_types").Select(EventNames.Short)), e.Str("jti"), e.Str("txn"), e.Str("source_stream_id"));
            }

            context.Write(table);
            var count = page?["events"].Items().Count() ?? 0;
            context.Line(page.Long("next_before") is { } next
                ? $"{count} event(s); more with --before {next}."
                : $"{count} event(s).");
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
