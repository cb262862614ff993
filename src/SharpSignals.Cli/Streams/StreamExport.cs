using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

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
        var token = new Option<string?>("--token") { Description = "i2scim: the Authorization header the node sends (default: a client profile's current access token)." };
        var newCredential = new Option<bool>("--new-credential") { Description = "i2scim: issue the stream a new stream credential for the file: it does not expire, and the stream's credential before it stops working." };
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
            "ssf stream export STREAM_ID --format i2scim --new-credential --output rcv-stream.json",
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
        var delivery = stream["delivery"];
        var jwks = inbound
            ? stream["source"].Str("jwks_uri") ?? ""
            : (await context.Api.DiscoveryAsync(context.CancellationToken)).Str("jwks_uri") ?? "";
        return new I2ScimStreamFile(
            alias ?? id[..Math.Min(8, id.Length)],
            id,
            stream.Str("description") ?? "",
            newCredential ? await NewCredentialAsync(context, id, token) : await TokenAsync(context, delivery, inbound, token),
            delivery.Str("endpoint_url") ?? "",
            stream.Str("iss") ?? "",
            string.Join(",", stream.Strings("aud")),
            jwks);
    }

    public static string Serialize(I2ScimStreamFile file) => JsonSerializer.Serialize(file, StreamFileJsonContext.Default.I2ScimStreamFile);

    /// <summary>Written through a file created owner-only: it holds a credential.</summary>
    public static async Task WriteFileAsync(FileInfo file, string text, CancellationToken cancellationToken)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        file.Directory?.Create();
        await using var writer = new StreamWriter(file.FullName, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options);
        await writer.WriteLineAsync(text.AsMemory(), cancellationToken);
    }

    private static async Task<string> NewCredentialAsync(CommandContext context, string streamId, string? given)
    {
        if (given is not null)
        {
            throw CliException.Usage("--new-credential and --token both name the file's credential: give one");
        }

        var issued = await context.Api.IssueStreamCredentialAsync(streamId, context.CancellationToken);
        return issued.Str("authorization_header") ?? throw new CliException("the server answered without a credential");
    }

    private static async Task<string> TokenAsync(CommandContext context, JsonNode? delivery, bool inbound, string? given)
    {
        if (given is not null)
        {
            return given.Contains(' ', StringComparison.Ordinal) ? given : "Bearer " + given;
        }

        // Shown only in the answer that created an inbound push stream.
        if (delivery.Str("authorization_header") is { } shown)
        {
            return shown;
        }

        if (!inbound && context.Api.Credential is { IsAdmin: false })
        {
            var accessToken = await context.Api.AccessTokenAsync(renew: false, context.CancellationToken);
            context.Warn($"the token is the client's access token, valid until {JsonRead.Time(context.Api.Credential.AccessTokenExpiresAt)}; pass --new-credential for a stream credential that does not expire");
            return "Bearer " + accessToken;
        }

        context.Warn(inbound
            ? "the inbound push credential is shown only when the stream is created (use `stream create --i2scim-file`); pass --new-credential to replace it with a stream credential"
            : "no token: the admin token is never exported; pass --new-credential for a stream credential");
        return "";
    }
}
