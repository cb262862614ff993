using System.CommandLine;
using System.Text.Json.Nodes;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Servers;

/// <summary><c>ssf server add|list|use|remove</c>: the server profiles.</summary>
internal static class ServerCommands
{
    public static Command Create(CliApp app)
    {
        var server = new Command("server", "Manage server profiles: a name for each server's URL, and the one in use.");
        server.Subcommands.Add(Add(app));
        server.Subcommands.Add(List(app));
        server.Subcommands.Add(Use(app));
        server.Subcommands.Add(Remove(app));
        return server.WithExamples("ssf server add local http://127.0.0.1:5077", "ssf server list", "ssf server use prod");
    }

    private static Command Add(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "A short name for the server." };
        var url = new Argument<string>("url") { Description = "The server's base URL (its issuer), e.g. https://ssf.example.com." };
        var command = new Command("add", "Add (or change) a server profile; the first one added is selected.") { name, url };
        app.SetAction(command, context =>
        {
            var profileName = context.Get(name)!;
            var address = context.Get(url)!;
            if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw CliException.Usage($"'{address}' is not an http or https URL");
            }

            var servers = context.Profiles.LoadServers();
            servers.Servers[profileName] = new ServerEntry(uri.ToString().TrimEnd('/'));
            var selected = servers.Current is null || !servers.Servers.ContainsKey(servers.Current);
            context.Profiles.SaveServers(selected ? servers with { Current = profileName } : servers);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["name"] = profileName, ["url"] = uri.ToString().TrimEnd('/'), ["current"] = selected });
            }
            else
            {
                context.Done($"Added server '{profileName}' ({uri.ToString().TrimEnd('/')}){(selected ? ", now in use" : "")}.");
            }

            return Task.CompletedTask;
        });
        return command.WithExamples("ssf server add local http://127.0.0.1:5077");
    }

    private static Command List(CliApp app)
    {
        var command = new Command("list", "List the server profiles and how each is logged in.");
        app.SetAction(command, context =>
        {
            var servers = context.Profiles.LoadServers();
            var credentials = context.Profiles.LoadCredentials();
            if (context.Json)
            {
                var array = new JsonArray();
                foreach (var (name, entry) in servers.Servers.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    array.Add(new JsonObject
                    {
                        ["name"] = name,
                        ["url"] = entry.Url,
                        ["current"] = name == servers.Current,
                        ["login"] = Describe(credentials.GetValueOrDefault(name)),
                    });
                }

                context.WriteJson(array);
                return Task.CompletedTask;
            }

            if (servers.Servers.Count == 0)
            {
                context.Line("No servers yet: add one with `ssf server add NAME URL`.");
                return Task.CompletedTask;
            }

            var table = Tables.Of("", "name", "url", "login");
            foreach (var (name, entry) in servers.Servers.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                table.Row(name == servers.Current ? "*" : "", name, entry.Url, Describe(credentials.GetValueOrDefault(name)));
            }

            context.Write(table);
            return Task.CompletedTask;
        });
        return command;
    }

    private static Command Use(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "The profile to use from now on." };
        var command = new Command("use", "Select the server profile that commands use.") { name };
        app.SetAction(command, context =>
        {
            var profileName = context.Get(name)!;
            var servers = context.Profiles.LoadServers();
            if (!servers.Servers.ContainsKey(profileName))
            {
                throw CliException.Usage($"there is no server profile '{profileName}' (see `ssf server list`)");
            }

            context.Profiles.SaveServers(servers with { Current = profileName });
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["current"] = profileName });
            }
            else
            {
                context.Done($"Now using '{profileName}'.");
            }

            return Task.CompletedTask;
        });
        return command;
    }

    private static Command Remove(CliApp app)
    {
        var name = new Argument<string>("name") { Description = "The profile to forget, with its credentials." };
        var command = new Command("remove", "Forget a server profile and its credentials.") { name };
        app.SetAction(command, context =>
        {
            var profileName = context.Get(name)!;
            var servers = context.Profiles.LoadServers();
            if (!servers.Servers.Remove(profileName))
            {
                throw CliException.Usage($"there is no server profile '{profileName}' (see `ssf server list`)");
            }

            context.Profiles.SaveServers(servers.Current == profileName ? servers with { Current = null } : servers);
            context.Profiles.SaveCredential(profileName, null);
            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["removed"] = profileName });
            }
            else
            {
                context.Done($"Removed '{profileName}'.");
            }

            return Task.CompletedTask;
        });
        return command;
    }

    public static string Describe(Credential? credential) => credential switch
    {
        null => "not logged in",
        { IsAdmin: true } => "admin token",
        _ => $"client {credential.ClientId}",
    };
}
