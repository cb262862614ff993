using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Tokens;

namespace SharpSignals.Cli.Streams;

/// <summary><c>ssf stream export ID [--format i2scim]</c>: a stream as a configuration file.</summary>
internal static class StreamExport
{
    public static Command Create(CliApp app)
    {
        var id = new Argument<string>("stream-id") { Description = "The stream to export." };
        var format = new Option<string>("--format", "-f") { Description = "ssf (the stream object, default) or i2scim (an i2scim stream file).", DefaultValueFactory = _ => "ssf" };
        format.AcceptOnlyFromAmong("ssf", "i2scim");
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file (mode 0600 for i2scim: it holds a credential) instead of standard output." };
        var alias = new Option<string?>("--alias") { Description = "i2scim: the stream's alias (default: the first 8 characters of its id)." };
        var token = new Option<string?>("--token") { Description = "i2scim: the Authorization header the node sends (default: a new stream credential, which does not expire)." };
        var newCredential = new Option<bool>("--new-credential") { Description = "i2scim: issue the stream a new stream credential for the file even when one was just shown (the default otherwise, without the warning); the stream's credential before it stops working." };
        var command = new Command("export", "Write a stream's configuration: the SSF stream object, or the file an i2scim node reads as its stream pre-configuration.")
        {
            id, format, output, alias, token, newCredential,
        };
        app.SetAction(command, async context =>
        {
            var stream = await context.Api.GetStreamAsync(context.Get(id)!, context.CancellationToken)
                ?? throw new CliException("the server answered without a stream");
            var text = context.Get(format) == "i2scim"
                ? Serialize(await I2ScimAsync(context, stream, context.Get(alias), context.Get(token), context.Get(newCredential)))
                : stream.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (context.Get(output) is { } file)
            {
                await WriteFileAsync(file, text, context.CancellationToken);
                if (context.Json)
                {
                    context.WriteJson(new JsonObject { ["written"] = file.FullName });
                }
                else
                {
                    context.Done($"Wrote {file.FullName}.");
                }
            }
            else
            {
                context.Line(text);
            }
        });
        return command.WithExamples(
            "ssf stream export STREAM_ID --format i2scim --output rcv-stream.json",
            "ssf stream export STREAM_ID --format i2scim --token \"Bearer $TOKEN\" --alias node1",
            "ssf stream export STREAM_ID > stream.json");
    }

    /// <summary>
    /// The i2scim stream file for a stream object: <c>endpoint</c> is where the node pushes (an
    /// inbound push stream) or polls (an outbound poll stream); <c>iss</c>/<c>issJwksUrl</c> are the
    /// SETs' issuer and its keys: this server's for outbound streams, the source's for inbound ones.
    /// </summary>
    public static async Task<I2ScimStreamFile> I2ScimAsync(CommandContext context, JsonNode stream, string? alias, string? token, bool newCredential)
    {
        var id = stream.Str("stream_id") ?? throw new CliException("the stream has no stream_id");
        var inbound = stream.Str("direction") == "inbound";
        // Hook (issue 22 §3): an outbound stream whose SETs are encrypted to the node (its `encryption`
        // member, once the server has it) also goes into the file, so it says which key the node decrypts with.
        var jwks = inbound
            ? stream["source"].Str("jwks_uri") ?? ""
            : (await context.Api.DiscoveryAsync(context.CancellationToken)).Str("jwks_uri") ?? "";
        return new I2ScimStreamFile(
            alias ?? id[..Math.Min(8, id.Length)],
            id,
            stream.Str("description") ?? "",
            await TokenAsync(context, stream, id, inbound, token, newCredential),
            stream["delivery"].Str("endpoint_url") ?? "",
            stream.Str("iss") ?? "",
            string.Join(",", stream.Strings("aud")),
            jwks)
        {
            // SETs to the node encrypted to its key (docs/API.md, "Encrypted SETs"): the file says to which.
            Encryption = inbound ? null : stream["encryption"]?.DeepClone() as JsonObject,
        };
    }

    /// <summary>
    /// The file for a stream just created: its credential is the one the answer shows (inbound push),
    /// or one issued now, which replaces nothing.
    /// </summary>
    public static Task<I2ScimStreamFile> I2ScimForNewStreamAsync(CommandContext context, JsonNode created, string? alias) =>
        I2ScimAsync(context, created, alias, token: null, newCredential: created["delivery"].Str("authorization_header") is null);

    public static string Serialize(I2ScimStreamFile file) => JsonSerializer.Serialize(file, StreamFileJsonContext.Default.I2ScimStreamFile);

    /// <summary>
    /// Written owner-only, as it holds a credential: a new file is created so, and a file replaced in
    /// place (an imported one written back) is made so before the credential goes in.
    /// </summary>
    public static async Task WriteFileAsync(FileInfo file, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            if (file.Exists)
            {
                File.SetUnixFileMode(file.FullName, options.UnixCreateMode.Value);
            }
        }

        file.Directory?.Create();
        await using var writer = new StreamWriter(file.FullName, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
        await writer.WriteLineAsync(text.AsMemory(), cancellationToken);
    }

    /// <summary>
    /// The file's <c>token</c>: the one given; else the credential shown in the answer that created an
    /// inbound push stream (its first stream credential); else a new stream credential, which does
    /// not expire as an access token does, so the node keeps working from the file.
    /// </summary>
    private static async Task<string> TokenAsync(CommandContext context, JsonNode stream, string id, bool inbound, string? given, bool newCredential)
    {
        if (given is not null)
        {
            return newCredential
                ? throw CliException.Usage("--new-credential and --token both name the file's credential: give one")
                : given.Contains(' ', StringComparison.Ordinal) ? given : "Bearer " + given;
        }

        var delivery = stream["delivery"];
        if (!newCredential && delivery.Str("authorization_header") is { } shown)
        {
            return shown;
        }

        // Only a stream whose receiving end is this server has one (docs/API.md, "Stream credentials"):
        // the node polls an outbound poll stream or pushes to an inbound push stream not joined at a source.
        var method = delivery.Str("method");
        var takesCredential = inbound
            ? method == DeliveryMethods.Push && stream["source"].Str("stream_id") is null
            : method == DeliveryMethods.Poll;
        if (!takesCredential)
        {
            context.Warn(inbound
                ? "no token: the node does not authenticate to this server on this stream (this server polls it, or it was joined at its source)"
                : "no token: this server pushes to the node on this stream with the stream's own authorization_header");
            return "";
        }

        var issued = await context.Api.IssueStreamCredentialAsync(id, context.CancellationToken);
        if (!newCredential)
        {
            context.Warn($"the file carries a new stream credential of stream {id}: any credential the stream had before no longer works");
        }

        return issued.Str("authorization_header") ?? throw new CliException("the server answered without a credential");
    }
}
