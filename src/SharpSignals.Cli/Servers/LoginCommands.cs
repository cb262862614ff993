using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;
using Spectre.Console;

namespace SharpSignals.Cli.Servers;

/// <summary><c>ssf login</c>, <c>ssf logout</c> and <c>ssf whoami</c>: a profile's credential.</summary>
internal static class LoginCommands
{
    public static Command Login(CliApp app)
    {
        var tokenFile = new Option<FileInfo?>("--token-file") { Description = "Read the admin token from this file (the server writes it to <data>/admin.token)." };
        var tokenStdin = new Option<bool>("--token-stdin") { Description = "Read the admin token from standard input." };
        var clientId = new Option<string?>("--client-id") { Description = "Log in as a registered client with OAuth client credentials." };
        var clientSecret = new Option<string?>("--client-secret") { Description = "The client's secret (prompted for when omitted on a terminal)." };
        var command = new Command("login", "Store the credential a server profile uses: the admin token, or a client's id and secret. The credential is checked with the server first.")
        {
            tokenFile, tokenStdin, clientId, clientSecret,
        };
        app.SetAction(command, async context =>
        {
            var profile = context.Profiles.Resolve(context.ServerName);
            Credential credential;
            if (context.Get(clientId) is { } id)
            {
                var secret = context.Get(clientSecret) ?? Prompt(context, $"Client secret for {id}:");
                var api = context.ApiFor(profile with { Credential = null });
                var token = await api.RequestTokenAsync(id, secret, context.CancellationToken);
                credential = new Credential
                {
                    Kind = Credential.ClientKind,
                    ClientId = id,
                    ClientSecret = secret,
                    AccessToken = token.AccessToken,
                    AccessTokenExpiresAt = context.Environment.Time.GetUtcNow().ToUnixTimeSeconds() + token.ExpiresIn,
                    Scope = token.Scope,
                    Project = profile.Credential is { ClientId: var known, Project: var project } && known == id ? project : null,
                };
            }
            else
            {
                var token = context.Get(tokenFile) is { } file ? ReadSecretFile(file)
                    : context.Get(tokenStdin) ? (context.Environment.In.ReadLine() ?? "").Trim()
                    : Prompt(context, "Admin token:");
                if (token.Length == 0)
                {
                    throw CliException.Usage("the admin token is empty");
                }

                credential = new Credential { Kind = Credential.AdminKind, Token = token };

                // Only the admin token may list the keys: this proves the token and its scope at once.
                await context.ApiFor(profile with { Credential = credential }).KeysAsync(context.CancellationToken);
            }

            context.Profiles.SaveCredential(profile.Name, credential);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["server"] = profile.Name, ["login"] = ServerCommands.Describe(credential), ["scope"] = credential.Scope });
            }
            else
            {
                context.Done($"Logged in to '{profile.Name}' ({profile.BaseUrl.ToString().TrimEnd('/')}) with {ServerCommands.Describe(credential)}; credentials are in {context.Profiles.CredentialsPath}.");
            }
        });
        return command.WithExamples(
            "ssf login --token-file data/admin.token",
            "ssf login --client-id c_123 --client-secret \"$SECRET\" --server rx",
            "cat admin.token | ssf login --token-stdin");
    }

    public static Command Logout(CliApp app)
    {
        var command = new Command("logout", "Forget the credential of the selected (or --server) profile.");
        app.SetAction(command, context =>
        {
            var profile = context.Profiles.Resolve(context.ServerName);
            context.Profiles.SaveCredential(profile.Name, null);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["server"] = profile.Name, ["login"] = ServerCommands.Describe(null) });
            }
            else
            {
                context.Done($"Logged out of '{profile.Name}'.");
            }

            return Task.CompletedTask;
        });
        return command;
    }

    public static Command WhoAmI(CliApp app)
    {
        var command = new Command("whoami", "Show the profile in use and check its credential with the server.");
        app.SetAction(command, async context =>
        {
            var api = context.Api;
            var credential = api.Credential
                ?? throw new CliException($"profile '{api.Profile.Name}' is not logged in: run `ssf login`", ExitCodes.Unauthorized);
            if (credential.IsAdmin)
            {
                await api.KeysAsync(context.CancellationToken);
            }
            else
            {
                await api.AccessTokenAsync(renew: true, context.CancellationToken);
                credential = api.Credential!;
            }

            var url = api.Profile.BaseUrl.ToString().TrimEnd('/');
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["server"] = api.Profile.Name,
                    ["url"] = url,
                    ["kind"] = credential.Kind,
                    ["client_id"] = credential.ClientId,
                    ["scope"] = credential.IsAdmin ? "admin" : credential.Scope,
                    ["project"] = credential.Project,
                    ["valid"] = true,
                });
                return;
            }

            context.Write(Tables.Properties(
            [
                ("server", api.Profile.Name),
                ("url", url),
                ("login", ServerCommands.Describe(credential)),
                ("scope", credential.IsAdmin ? "admin" : credential.Scope),
                ("project", credential.Project ?? (credential.IsAdmin ? "any" : "")),
                ("credential", "accepted by the server"),
            ]));
        });
        return command;
    }

    private static string ReadSecretFile(FileInfo file)
    {
        if (!file.Exists)
        {
            throw CliException.Usage($"there is no file {file.FullName}");
        }

        return File.ReadAllText(file.FullName).Trim();
    }

    private static string Prompt(CommandContext context, string question)
    {
        if (!context.Environment.IsInteractive)
        {
            throw CliException.Usage("no credential given: use --token-file, --token-stdin or --client-id/--client-secret");
        }

        return context.Environment.Console.Prompt(new TextPrompt<string>(question).Secret()).Trim();
    }
}
