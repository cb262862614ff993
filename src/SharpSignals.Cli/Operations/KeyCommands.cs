using System.CommandLine;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Operations;

/// <summary><c>ssf key list|rotate</c> (admin): the issuer's signing keys.</summary>
internal static class KeyCommands
{
    public static Command Create(CliApp app)
    {
        var key = new Command("key", "List or rotate the issuer's signing keys (admin).");

        var list = new Command("list", "List the active and retired signing keys.");
        app.SetAction(list, async context =>
        {
            var keys = await context.Api.KeysAsync(context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(keys);
                return;
            }

            var table = Tables.Of("kid", "alg", "state", "retired");
            foreach (var k in keys.Items())
            {
                table.Row(k.Str("kid"), k.Str("alg"), k.Str("state"), JsonRead.Time(k.Long("retired_at")));
            }

            context.Write(table);
        });

        var algorithm = new Option<string?>("--alg") { Description = "The new key's algorithm: ES256, RS256 or PS256 (default: the active key's)." };
        algorithm.AcceptOnlyFromAmong("ES256", "RS256", "PS256");
        var rotate = new Command("rotate", "Generate a new active key; the old one stays in the JWKS while it may still be needed.") { algorithm };
        app.SetAction(rotate, async context =>
        {
            var active = await context.Api.RotateKeyAsync(context.Get(algorithm), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(active);
            }
            else
            {
                context.Done($"The active key is now {active.Str("kid")} ({active.Str("alg")}).");
            }
        });

        key.Subcommands.Add(list);
        key.Subcommands.Add(rotate);
        return key.WithExamples("ssf key list", "ssf key rotate --alg RS256");
    }
}
