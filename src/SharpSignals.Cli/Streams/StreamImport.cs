using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Events;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Cli.Streams;

/// <summary>
/// <c>ssf stream import --format i2scim FILE</c>: the stream an i2scim node's stream file describes,
/// created on this server, and the file written again for the node with this server's endpoint,
/// credential, issuer and keys (docs/CLI.md, "i2scim stream files").
/// </summary>
internal static class StreamImport
{
    /// <summary>What an i2scim node publishes (its <c>GetScimEventTypes(false)</c>): the full and notice provisioning events.</summary>
    private static readonly string[] PublishedByNode =
    [
        EventTypes.Scim.CreateFull, EventTypes.Scim.PutFull, EventTypes.Scim.PatchFull, EventTypes.Scim.Delete,
        EventTypes.Scim.CreateNotice, EventTypes.Scim.PutNotice, EventTypes.Scim.PatchNotice,
    ];

    /// <summary>What an i2scim node takes in (<c>GetScimEventTypes(true)</c>): only the full events and deletes, which it can apply.</summary>
    private static readonly string[] ReceivedByNode = [EventTypes.Scim.CreateFull, EventTypes.Scim.PutFull, EventTypes.Scim.PatchFull, EventTypes.Scim.Delete];

    public static Command Create(CliApp app)
    {
        var file = new Argument<FileInfo>("file") { Description = "The i2scim stream file (what scim.signals.pub.config.file or scim.signals.rcv.config.file names)." };
        var format = new Option<string>("--format", "-f") { Description = "The file's format: i2scim.", Required = true };
        format.AcceptOnlyFromAmong("i2scim");
        var kind = new Option<string?>("--as") { Description = "pub (the node publishes: an inbound push stream) or rcv (the node receives: an outbound poll stream); default: read from the file's endpoint." };
        kind.AcceptOnlyFromAmong(Kinds.Publish, Kinds.Receive);
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the node's new stream file here (FILE itself to replace it; mode 0600) instead of standard output." };
        var events = StreamCreateCommand.EventsOption();
        events.Description = "Event types instead of i2scim's SCIM provisioning events: catalog names or URIs.";
        var project = new Option<string?>("--project", "-p") { Description = "The project the stream belongs to (admin only; clients use their own)." };
        var alias = new Option<string?>("--alias") { Description = "The alias written to the new file (default: the file's own)." };
        var command = new Command("import", "Create the stream an i2scim stream file describes: a pub file becomes an inbound push stream the node pushes to, a rcv file an outbound poll stream the node polls; the node's new file is written with this server's endpoint and a stream credential.")
        {
            file, format, kind, output, events, project, alias,
        };
        app.SetAction(command, async context =>
        {
            var path = context.Get(file)!;
            var text = path.Exists ? await File.ReadAllTextAsync(path.FullName, context.CancellationToken) : throw CliException.Usage($"{path.FullName} does not exist");
            var given = I2ScimStreamFile.Read(text, path.Name);
            var publish = (context.Get(kind) ?? KindOf(given, path.Name)) == Kinds.Publish;
            var body = publish ? PublishStream(given) : ReceiveStream(given);
            if (given.Description.Length > 0)
            {
                body["description"] = given.Description;
            }

            if (context.Get(project) is { } projectName)
            {
                body["project"] = projectName;
            }

            IEnumerable<string> requested = EventNames.ResolveAll(context.Get(events)) is { Count: > 0 } named ? named : publish ? PublishedByNode : ReceivedByNode;
            body["events_requested"] = new JsonArray([.. requested.Select(e => (JsonNode?)e)]);

            // Only the admin may name a stream's aud; a client's stream gets the server's and the new file says which.
            var admin = context.Api.Credential is { IsAdmin: true };
            if (admin && given.Audiences.Count > 0)
            {
                body["aud"] = new JsonArray([.. given.Audiences.Select(a => (JsonNode?)a)]);
            }

            var created = await context.Api.CreateStreamAsync(body, context.CancellationToken)
                ?? throw new CliException("the server answered without a stream");
            var written = await StreamExport.I2ScimForNewStreamAsync(context, created, context.Get(alias) ?? NullIfEmpty(given.Alias));
            WarnOfChanges(context, given, written, publish);
            var newFile = StreamExport.Serialize(written);
            if (context.Get(output) is not { } target)
            {
                context.Line(newFile);
                return;
            }

            await StreamExport.WriteFileAsync(target, newFile, context.CancellationToken);
            var streamId = created.Str("stream_id");
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["stream_id"] = streamId, ["kind"] = publish ? Kinds.Publish : Kinds.Receive, ["written"] = target.FullName });
                return;
            }

            context.Done(publish
                ? $"Created inbound push stream {streamId}: the node pushes to {written.Endpoint}. Wrote {target.FullName} (scim.signals.pub.config.file)."
                : $"Created outbound poll stream {streamId}: the node polls {written.Endpoint}. Wrote {target.FullName} (scim.signals.rcv.config.file).");
        });
        return command.WithExamples(
            "ssf stream import --format i2scim pub-stream.json --output pub-stream.json",
            "ssf stream import --format i2scim rcv-stream.json --output rcv-stream.json --server node1",
            "ssf stream import -f i2scim stream.json --as rcv --events prov:create:full prov:delete -o rcv-stream.json");
    }

    /// <summary>The node pushes its SETs here: an inbound push stream taking what the file's issuer signs, checked with the keys it names.</summary>
    private static JsonObject PublishStream(I2ScimStreamFile file)
    {
        if (file.Iss.Length == 0)
        {
            throw CliException.Usage("iss is empty: a pub file names the issuer of the node's SETs, which the inbound stream takes");
        }

        if (file.Encryption is not null)
        {
            throw CliException.Usage("encryption is for a rcv file (the SETs this server sends the node); a node encrypts what it pushes to this server's key, scim.signals.pub.aud.jwksurl");
        }

        var source = new JsonObject { ["issuer"] = file.Iss };
        if (file.IssJwksUrl.Length > 0)
        {
            source["jwks_uri"] = file.IssJwksUrl;
        }

        return new JsonObject
        {
            ["direction"] = "inbound",
            ["delivery"] = new JsonObject { ["method"] = DeliveryMethods.Push },
            ["source"] = source,
        };
    }

    /// <summary>
    /// The node polls for the others' SETs here, signed by this server (the new file names its issuer
    /// and keys), and encrypted to the node's key when the file's <c>encryption</c> says so.
    /// </summary>
    private static JsonObject ReceiveStream(I2ScimStreamFile file)
    {
        var stream = new JsonObject { ["delivery"] = new JsonObject { ["method"] = DeliveryMethods.Poll } };
        if (file.Encryption is not null)
        {
            stream["encryption"] = file.Encryption.DeepClone();
        }

        return stream;
    }

    /// <summary>
    /// The file's kind, from its <c>endpoint</c>, the one member that differs: a poll URL (a path
    /// segment <c>poll</c>) is a receive file, a push URL (<c>events</c> or <c>push</c>, as goSignals,
    /// this server and i2scim's own examples name them) a publish file.
    /// </summary>
    private static string KindOf(I2ScimStreamFile file, string name)
    {
        if (!Uri.TryCreate(file.Endpoint, UriKind.Absolute, out var endpoint))
        {
            throw CliException.Usage($"{name}: endpoint \"{file.Endpoint}\" is not a URL; give --as pub or --as rcv");
        }

        var segments = endpoint.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var poll = segments.Contains("poll", StringComparer.OrdinalIgnoreCase);
        var push = segments.Any(s => s.Equals("events", StringComparison.OrdinalIgnoreCase) || s.Equals("push", StringComparison.OrdinalIgnoreCase));
        return (poll, push) switch
        {
            (true, false) => Kinds.Receive,
            (false, true) => Kinds.Publish,
            _ => throw CliException.Usage($"{name}: endpoint {file.Endpoint} does not say whether the node pushes (events, push) or polls (poll); give --as pub or --as rcv"),
        };
    }

    /// <summary>Says which of the node's settings the new file changes besides the endpoint and token, which always change.</summary>
    private static void WarnOfChanges(CommandContext context, I2ScimStreamFile given, I2ScimStreamFile written, bool publish)
    {
        if (!given.Audiences.Order(StringComparer.Ordinal).SequenceEqual(written.Audiences.Order(StringComparer.Ordinal), StringComparer.Ordinal))
        {
            context.Warn(publish
                ? $"the node's SETs must carry aud {written.Aud}, not {given.Aud} (the new file says so)"
                : $"the node receives SETs for aud {written.Aud}, not {given.Aud} (the new file says so)");
        }

        if (!publish && given.Iss.Length > 0 && given.Iss != written.Iss)
        {
            context.Warn($"the node receives SETs signed by this server ({written.Iss}), not {given.Iss}: the new file names its issuer and keys");
        }
    }

    private static string? NullIfEmpty(string value) => value.Length > 0 ? value : null;

    private static class Kinds
    {
        public const string Publish = "pub";
        public const string Receive = "rcv";
    }
}
