using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using Spectre.Console;

namespace SharpSignals.Cli.Operations;

/// <summary>
/// <c>ssf tenant list|create|delete|rotate-admin-token</c> (docs/TENANTS.md): the server's tenants, each an
/// issuer of its own at <c>/t/{name}</c>. Only the server's admin token manages them, at the server's root URL.
/// </summary>
internal static class TenantCommands
{
    public static Command Create(CliApp app)
    {
        var tenant = new Command("tenant", "Create, list and delete tenants: issuers of their own on this server, at /t/NAME (the server's admin only).");
        tenant.Subcommands.Add(List(app));
        tenant.Subcommands.Add(Add(app));
        tenant.Subcommands.Add(Delete(app));
        tenant.Subcommands.Add(RotateAdminToken(app));
        return tenant.WithExamples(
            "ssf tenant create acme",
            "ssf tenant list",
            "ssf server add acme https://ssf.example.com/t/acme",
            "ssf tenant rotate-admin-token acme",
            "ssf tenant delete acme --yes");
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", "List the live tenants with their issuers and discovery URLs.");
        app.SetAction(command, async context =>
        {
            var tenants = await context.Api.ListTenantsAsync(context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(tenants);
                return;
            }

            var rows = tenants.Items().ToList();
            if (rows.Count == 0)
            {
                context.Line("No tenants yet: create one with `ssf tenant create NAME`.");
                return;
            }

            var table = Tables.Of("name", "issuer", "discovery", "created");
            foreach (var t in rows)
            {
                table.Row(t.Str("name"), t.Str("issuer"), t.Str("configuration_url"), JsonRead.Time(t.Long("created_at")));
            }

            context.Write(table);
        });
        return command;
    }

    private static Command Add(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "1 to 32 lower-case letters, digits or '-', starting and ending with a letter or digit; a name is never used twice." };
        var command = new Command("create", "Create a tenant with its own signing key; its admin token is shown once.") { name };
        app.SetAction(command, async context =>
        {
            var created = await context.Api.CreateTenantAsync(context.Get(name)!, context.CancellationToken);
            WriteWithToken(context, created);
        });
        return command.WithExamples("ssf tenant create acme", "ssf tenant create acme --json");
    }

    private static Command Delete(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "The tenant to delete." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask: its streams are disabled, its clients revoked and its keys deleted, for good." };
        var command = new Command("delete", "Delete a tenant: its streams are disabled, its clients, tokens and keys revoked; the name is never used again.") { name, yes };
        app.SetAction(command, async context =>
        {
            var tenantName = context.Get(name)!;
            if (!context.Get(yes) && !Confirmed(context, tenantName))
            {
                return;
            }

            await context.Api.DeleteTenantAsync(tenantName, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["deleted"] = tenantName });
            }
            else
            {
                context.Done($"Deleted tenant {tenantName}: its streams are disabled and its clients revoked.");
            }
        });
        return command.WithExamples("ssf tenant delete acme", "ssf tenant delete acme --yes");
    }

    private static Command RotateAdminToken(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "The tenant whose admin token to replace." };
        var command = new Command("rotate-admin-token", "Replace a tenant's admin token: the new one is shown once, the old one stops working at once.") { name };
        app.SetAction(command, async context =>
        {
            var replaced = await context.Api.ReplaceTenantAdminTokenAsync(context.Get(name)!, context.CancellationToken);
            WriteWithToken(context, replaced);
        });
        return command.WithExamples("ssf tenant rotate-admin-token acme");
    }

    /// <summary>A tenant with the admin token just made, and how to use it; the token is never stored by the tool.</summary>
    private static void WriteWithToken(CommandContext context, JsonNode? tenant)
    {
        if (context.Json)
        {
            context.WriteJson(tenant);
            return;
        }

        var name = tenant.Str("name");
        context.Write(Tables.Properties(
        [
            ("name", name),
            ("issuer", tenant.Str("issuer")),
            ("discovery", tenant.Str("configuration_url")),
            ("admin_token", tenant.Str("admin_token") + "  (shown once)"),
        ]));
        context.Line($"Use it with: ssf server add {name} {tenant.Str("issuer")} && ssf login --token-stdin --server {name}");
    }

    /// <summary>Asks on a terminal; elsewhere (a script) the command needs <c>--yes</c>, since deletion cannot be undone.</summary>
    private static bool Confirmed(CommandContext context, string tenant)
    {
        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage($"deleting tenant '{tenant}' cannot be undone: add --yes to confirm");
        }

        if (context.Environment.Console.Confirm($"Delete tenant {Markup.Escape(tenant)}? Its streams stop, its clients are revoked and the name cannot be used again.", defaultValue: false))
        {
            return true;
        }

        context.Line("Nothing deleted.");
        return false;
    }
}
