using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using SharpSignals.Cli.Servers;

namespace SharpSignals.Cli.Registration;

/// <summary><c>ssf client register|list|revoke</c>: OAuth clients (receivers, publishers).</summary>
internal static class ClientCommands
{
    public static Command Create(CliApp app)
    {
        var client = new Command("client", "Register, list and revoke clients.");
        client.Subcommands.Add(Register(app));
        client.Subcommands.Add(List(app));
        client.Subcommands.Add(Revoke(app));
        return client.WithExamples(
            "ssf client register --iat \"$IAT\" --name receiver-1 --save-as rx",
            "ssf client list --project demo",
            "ssf client revoke c_AbCd");
    }

    private static Command Register(CliApp app)
    {
        var iat = new Option<string>("--iat") { Description = "The initial access token (from `ssf iat create`).", Required = true };
        var name = new Option<string>("--name") { Description = "The client's name.", DefaultValueFactory = _ => "ssf-cli" };
        var scope = new Option<string>("--scope") { Description = "Space-separated scopes.", DefaultValueFactory = _ => "ssf.manage ssf.read event.publish" };
        var saveAs = new Option<string?>("--save-as") { Description = "Save the client as a new server profile of this name (same URL), logged in with its credentials." };
        var command = new Command("register", "Register a client with an initial access token (RFC 7591); its secret is shown once.")
        {
            iat, name, scope, saveAs,
        };
        app.SetAction(command, async context =>
        {
            var api = context.Api;
            var answer = await api.RegisterAsync(context.Get(iat)!, context.Get(name)!, context.Get(scope)!, context.CancellationToken);
            var clientId = answer.Str("client_id") ?? throw new CliException("the server answered without a client_id");
            if (context.Get(saveAs) is { } profileName)
            {
                var servers = context.Profiles.LoadServers();
                servers.Servers[profileName] = new ServerEntry(api.Profile.BaseUrl.ToString().TrimEnd('/'));
                context.Profiles.SaveServers(servers);
                context.Profiles.SaveCredential(profileName, new Credential
                {
                    Kind = Credential.ClientKind,
                    ClientId = clientId,
                    ClientSecret = answer.Str("client_secret"),
                    AccessToken = answer.Str("access_token"),
                    AccessTokenExpiresAt = context.Environment.Time.GetUtcNow().ToUnixTimeSeconds() + (answer.Long("expires_in") ?? 0),
                    Scope = answer.Str("scope"),
                    Project = answer.Str("project"),
                });
            }

            if (context.Json)
            {
                context.WriteJson(answer);
                return;
            }

            context.Write(Tables.Properties(
            [
                ("client_id", clientId),
                ("client_secret", answer.Str("client_secret") + "  (shown once)"),
                ("project", answer.Str("project")),
                ("scope", answer.Str("scope")),
            ]));
            if (context.Get(saveAs) is { } saved)
            {
                context.Done($"Saved as profile '{saved}': use it with --server {saved} or `ssf server use {saved}`.");
            }
        });
        return command;
    }

    private static Command List(CliApp app)
    {
        var project = new Option<string?>("--project", "-p") { Description = "Only this project's clients." };
        var command = new Command("list", "List registered clients (admin).") { project };
        app.SetAction(command, async context =>
        {
            var answer = await context.Api.ListClientsAsync(context.Get(project), context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(answer);
                return;
            }

            var table = Tables.Of("client_id", "name", "project", "scope", "created", "revoked");
            foreach (var c in answer.Items())
            {
                table.Row(c.Str("client_id"), c.Str("client_name"), c.Str("project"), c.Str("scope"), JsonRead.Time(c.Long("created_at")), JsonRead.Time(c.Long("revoked_at")));
            }

            context.Write(table);
        });
        return command;
    }

    private static Command Revoke(CliApp app)
    {
        var id = new Argument<string>("client-id") { Description = "The client to revoke, with all its tokens." };
        var command = new Command("revoke", "Revoke a client and its tokens (admin).") { id };
        app.SetAction(command, async context =>
        {
            var clientId = context.Get(id)!;
            await context.Api.RevokeClientAsync(clientId, context.CancellationToken);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["revoked"] = clientId });
            }
            else
            {
                context.Done($"Revoked client {clientId}.");
            }
        });
        return command;
    }
}
