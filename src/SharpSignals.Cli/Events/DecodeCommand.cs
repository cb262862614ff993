using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Client;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Cli.Events;

/// <summary><c>ssf decode TOKEN [--jwks URL]</c>: a SET's header and claims, and whether its signature verifies.</summary>
internal static class DecodeCommand
{
    public static Command Create(CliApp app)
    {
        var token = new Argument<string>("token") { Description = "The compact SET, or - to read it from standard input." };
        var jwks = new Option<string?>("--jwks") { Description = "A JWKS URL (e.g. SERVER/jwks.json) to check the signature with." };
        var command = new Command("decode", "Print a SET's header and claims; with --jwks, check its signature (exit code 1 when it does not verify).") { token, jwks };
        app.SetAction(command, async context =>
        {
            var text = context.Get(token)!;
            if (text == "-")
            {
                text = (await context.Environment.In.ReadToEndAsync(context.CancellationToken)).Trim();
            }

            var set = SetSummary.Read(text);
            JsonObject? signature = null;
            if (context.Get(jwks) is { } jwksUrl)
            {
                signature = await VerifyAsync(context, text, set, jwksUrl);
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["header"] = set.Header.DeepClone(), ["claims"] = set.Claims.DeepClone(), ["signature"] = signature });
            }
            else
            {
                context.Line("header:");
                context.WriteJson(set.Header);
                context.Line("claims:");
                context.WriteJson(set.Claims);
                context.Line(signature is null ? "signature: not checked (give --jwks URL)"
                    : signature.Bool("valid") == true ? $"signature: verified with key {signature.Str("kid")} ({signature.Str("alg")})"
                    : $"signature: NOT verified ({signature.Str("error")}: {signature.Str("description")})");
            }

            if (signature is not null && signature.Bool("valid") != true)
            {
                throw new CliException($"the SET does not verify with the keys at {signature.Str("jwks_uri")} ({signature.Str("error")})");
            }
        });
        return command.WithExamples(
            "ssf decode eyJhbGciOiJFUzI1NiIs...",
            "ssf decode \"$SET\" --jwks http://127.0.0.1:5077/jwks.json",
            "ssf poll STREAM_ID --json | jq -r '.sets[]' | head -1 | ssf decode -");
    }

    private static async Task<JsonObject> VerifyAsync(CommandContext context, string token, SetSummary set, string jwksUrl)
    {
        if (!Uri.TryCreate(jwksUrl, UriKind.Absolute, out var uri))
        {
            throw CliException.Usage($"--jwks takes a URL, not '{jwksUrl}'");
        }

        using var http = new HttpClient(context.Environment.Handler ?? new SocketsHttpHandler(), disposeHandler: context.Environment.Handler is null)
        {
            Timeout = context.Environment.RequestTimeout,
        };
        string json;
        try
        {
            json = await new SharedSignalsClient(http, new SharedSignalsClientOptions { Timeout = null }).GetDocumentAsync(uri, context.CancellationToken);
        }
        catch (SharedSignalsClientException ex) when (ex.Status is { } status)
        {
            throw new CliException($"the JWKS at {uri} could not be fetched ({status})");
        }
        catch (SharedSignalsClientException ex) when (ex.InnerException is HttpRequestException unreachable)
        {
            throw new CliException($"cannot reach {uri}: {unreachable.InnerException?.Message ?? unreachable.Message}", ExitCodes.Unreachable);
        }
        catch (SharedSignalsClientException ex) when (ex.InnerException is OperationCanceledException late)
        {
            // The shell says the server did not answer in time.
            throw late;
        }

        StaticKeySource keys;
        try
        {
            keys = StaticKeySource.FromJwks(json);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Text.Json.JsonException or FormatException)
        {
            throw new CliException($"{uri} is not a JWKS: {ex.Message}");
        }

        // Only the signature is in question here: the SET's own issuer is accepted and no audience is required.
        var validator = new SetValidator(new SetValidationOptions
        {
            Keys = keys,
            ValidIssuers = [set.Claims.Str("iss") ?? ""],
            TimeProvider = context.Environment.Time,
        });
        var result = await validator.ValidateAsync(token, context.CancellationToken);
        return result.IsValid
            ? new JsonObject { ["checked"] = true, ["valid"] = true, ["kid"] = result.KeyId, ["alg"] = result.Algorithm, ["jwks_uri"] = uri.ToString() }
            : new JsonObject
            {
                ["checked"] = true,
                ["valid"] = false,
                ["error"] = result.Error?.Code ?? SetErrorCodes.InvalidRequest,
                ["description"] = result.Error?.Description,
                ["jwks_uri"] = uri.ToString(),
            };
    }
}
