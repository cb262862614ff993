using System.CommandLine;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Operations;

/// <summary><c>ssf key list|rotate</c> (admin): the issuer's signing keys.</summary>
internal static class KeyCommands
{
    public static Command Create(CliApp app)
    {
        var key = new Command("key", "List or rotate the issuer's signing keys (admin).");

        var list = new Command("list", "List the active, next and retired signing keys.");
        app.SetAction(list, async context =>
        {
            var keys = await context.Api.KeysAsync(context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(keys);
                return;
            }

            var table = Tables.Of("kid", "alg", "state", "signs from", "retired");
            foreach (var k in keys.Items())
            {
                table.Row(k.Str("kid"), k.Str("alg"), k.Str("state"), JsonRead.Time(k.Long("signs_from")), JsonRead.Time(k.Long("retired_at")));
            }

            context.Write(table);
        });

        var algorithm = new Option<string?>("--alg") { Description = "The new key's algorithm: ES256, RS256 or PS256 (default: the active key's)." };
        algorithm.AcceptOnlyFromAmong("ES256", "RS256", "PS256");
        var now = new Option<bool>("--now") { Description = "Sign with the new key at once, without the lead time (for a compromised key): receivers holding a cached JWKS refetch it." };
        var rotate = new Command(
            "rotate",
            "Generate a new key, published in the JWKS at once and signing after the server's lead time (SharpSignals:Signing:RotationLeadSeconds, an hour by default); the old one stays in the JWKS while it may still be needed.")
        {
            algorithm,
            now,
        };
        app.SetAction(rotate, async context =>
        {
            var created = await context.Api.RotateKeyAsync(context.Get(algorithm), context.Get(now), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(created);
            }
            else if (created.Str("state") == "active")
            {
                context.Done($"The active key is now {created.Str("kid")} ({created.Str("alg")}).");
            }
            else
            {
                context.Done($"Published {created.Str("kid")} ({created.Str("alg")}); it signs from {JsonRead.Time(created.Long("signs_from"))}.");
            }
        });

        key.Subcommands.Add(list);
        key.Subcommands.Add(rotate);
        return key.WithExamples("ssf key list", "ssf key rotate --alg RS256", "ssf key rotate --now");
    }
}
