using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Events;
using SharpSignals.Tokens;

namespace SharpSignals.Cli.Streams;

/// <summary>
/// <c>ssf stream create</c>: an outbound push or poll stream, an inbound push or poll stream, or an
/// inbound stream joining a remote SSF transmitter (docs/API.md, "Inbound streams").
/// </summary>
internal static class StreamCreateCommand
{
    public static Command Create(CliApp app)
    {
        var delivery = new Option<string?>("--delivery", "-d") { Description = "push or poll (outbound default: poll; inbound default: push)." };
        delivery.AcceptOnlyFromAmong("push", "poll");
        var endpoint = new Option<string?>("--endpoint") { Description = "Outbound push: the receiver's URL. Inbound poll: the remote transmitter's poll URL." };
        var authorization = new Option<string?>("--authorization") { Description = "The Authorization header value sent to --endpoint (e.g. \"Bearer ...\")." };
        var events = EventsOption();
        var audience = new Option<string[]>("--aud") { Description = "Audience values (admin only; default: the receiving client).", AllowMultipleArgumentsPerToken = true };
        var routeMode = RouteModeOption();
        var description = new Option<string?>("--description") { Description = "A description of the stream." };
        var project = new Option<string?>("--project", "-p") { Description = "The project the stream belongs to (admin only; clients use their own)." };
        var inbound = new Option<bool>("--inbound") { Description = "Create an inbound stream: this server receives events from --source-issuer." };
        var join = new Option<string?>("--join") { Description = "Join the remote SSF transmitter with this issuer: this server creates the stream there (needs --source-authorization or --source-client-id/--source-client-secret)." };
        var sourceIssuer = new Option<string?>("--source-issuer") { Description = "Inbound: the issuer whose SETs the stream accepts." };
        var sourceJwks = new Option<string?>("--source-jwks") { Description = "Inbound: the source's JWKS URL (default: from its discovery document)." };
        var sourceConfiguration = new Option<string?>("--source-configuration-endpoint") { Description = "Inbound: the source's stream configuration endpoint." };
        var sourceAuthorization = new Option<string?>("--source-authorization") { Description = "Inbound: the credential for the source's API (\"Bearer ...\")." };
        var sourceClientId = new Option<string?>("--source-client-id") { Description = "Inbound: OAuth client id at the source's token endpoint." };
        var sourceClientSecret = new Option<string?>("--source-client-secret") { Description = "Inbound: OAuth client secret at the source's token endpoint." };
        var sourceTokenEndpoint = new Option<string?>("--source-token-endpoint") { Description = "Inbound: the source's OAuth token endpoint." };
        var echo = new Option<bool>("--echo") { Description = "Inbound: events received on this stream also reach your own outbound streams (by default they reach every stream of the project but yours)." };
        var i2scim = new Option<FileInfo?>("--i2scim-file") { Description = "Also write the new stream as an i2scim stream file (the only time an inbound push credential is shown)." };
        var alias = new Option<string?>("--alias") { Description = "The alias written to --i2scim-file." };

        var command = new Command("create", "Create a stream.")
        {
            delivery, endpoint, authorization, events, audience, routeMode, description, project,
            inbound, join, sourceIssuer, sourceJwks, sourceConfiguration, sourceAuthorization, sourceClientId, sourceClientSecret, sourceTokenEndpoint,
            echo, i2scim, alias,
        };
        app.SetAction(command, async context =>
        {
            var joined = context.Get(join);
            var isInbound = context.Get(inbound) || joined is not null;
            var source = new JsonObject
            {
                ["issuer"] = joined ?? context.Get(sourceIssuer),
                ["jwks_uri"] = context.Get(sourceJwks),
                ["configuration_endpoint"] = context.Get(sourceConfiguration),
                ["authorization_header"] = context.Get(sourceAuthorization),
                ["client_id"] = context.Get(sourceClientId),
                ["client_secret"] = context.Get(sourceClientSecret),
                ["token_endpoint"] = context.Get(sourceTokenEndpoint),
            };
            var sourceGiven = source.Any(p => p.Value is not null);
            if (!isInbound && sourceGiven)
            {
                throw CliException.Usage("the --source-* options are for inbound streams: add --inbound or --join ISSUER");
            }

            if (!isInbound && context.Get(echo))
            {
                throw CliException.Usage("--echo is for inbound streams: add --inbound or --join ISSUER");
            }

            if (context.Get(echo))
            {
                source["echo"] = true;
            }

            if (isInbound && source["issuer"] is null)
            {
                throw CliException.Usage("an inbound stream needs --source-issuer (or --join ISSUER)");
            }

            if (joined is not null && source["authorization_header"] is null && source["client_id"] is null)
            {
                throw CliException.Usage("--join needs a credential for the remote transmitter: --source-authorization or --source-client-id and --source-client-secret");
            }

            var method = context.Get(delivery) switch
            {
                "push" => DeliveryMethods.Push,
                "poll" => DeliveryMethods.Poll,
                _ => isInbound ? DeliveryMethods.Push : DeliveryMethods.Poll,
            };
            if (!isInbound && method == DeliveryMethods.Push && context.Get(endpoint) is null)
            {
                throw CliException.Usage("an outbound push stream needs --endpoint URL (the receiver's push endpoint)");
            }

            var body = new JsonObject
            {
                ["direction"] = isInbound ? "inbound" : null,
                ["delivery"] = new JsonObject { ["method"] = method },
                ["description"] = context.Get(description),
                ["route_mode"] = context.Get(routeMode),
                ["project"] = context.Get(project),
            };
            var deliveryObject = (JsonObject)body["delivery"]!;
            if (context.Get(endpoint) is { } url)
            {
                deliveryObject["endpoint_url"] = url;
            }

            if (context.Get(authorization) is { } header)
            {
                deliveryObject["authorization_header"] = header;
            }

            var requested = EventNames.ResolveAll(context.Get(events));
            if (requested.Count > 0)
            {
                body["events_requested"] = new JsonArray([.. requested.Select(e => (JsonNode?)e)]);
            }

            if (context.Get(audience) is { Length: > 0 } aud)
            {
                body["aud"] = aud.Length == 1 ? aud[0] : new JsonArray([.. aud.Select(a => (JsonNode?)a)]);
            }

            if (isInbound)
            {
                foreach (var name in source.Where(p => p.Value is null).Select(p => p.Key).ToList())
                {
                    source.Remove(name);
                }

                body["source"] = source;
            }

            var created = await context.Api.CreateStreamAsync(body, context.CancellationToken);
            if (context.Get(i2scim) is { } file)
            {
                var export = await StreamExport.I2ScimForNewStreamAsync(context, created!, context.Get(alias));
                await StreamExport.WriteFileAsync(file, StreamExport.Serialize(export), context.CancellationToken);
            }

            if (context.Json)
            {
                context.WriteJson(created);
                return;
            }

            context.Write(Tables.Properties(StreamView.Rows(created)));
            context.Done($"Created stream {created.Str("stream_id")}.");
        });
        return command.WithExamples(
            "ssf stream create --events session-revoked credential-change --description \"poll receiver\"",
            "ssf stream create --delivery push --endpoint https://rx.example.com/events --authorization \"Bearer s3cret\" --events session-revoked",
            "ssf stream create --inbound --source-issuer https://idp.example.com --source-jwks https://idp.example.com/jwks.json --route-mode forward",
            "ssf stream create --inbound --delivery poll --source-issuer https://tx.example.com --endpoint https://tx.example.com/poll/1 --authorization \"Bearer T\"",
            "ssf stream create --inbound --source-issuer https://node1.example.com --echo",
            "ssf stream create --join https://tx.example.com --source-authorization \"Bearer T\" --delivery poll --events session-revoked",
            "ssf stream create --events prov:create:full prov:delete --i2scim-file rcv-stream.json");
    }

    public static Option<string[]> EventsOption() => new("--events", "-e")
    {
        Description = "Event types to deliver: catalog names (session-revoked, prov:create:full; see `ssf event types`) or URIs; repeat or separate with commas.",
        AllowMultipleArgumentsPerToken = true,
    };

    public static Option<string?> RouteModeOption()
    {
        var option = new Option<string?>("--route-mode") { Description = "republish (re-signed by this server, default) or forward (the original SET unchanged)." };
        option.AcceptOnlyFromAmong("republish", "forward");
        return option;
    }
}
