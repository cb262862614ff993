using System.Text.Json;
using SharpSignals.Cli.Shell;

namespace SharpSignals.Cli.Servers;

/// <summary>
/// The profiles in the configuration directory: <c>servers.json</c> (names and URLs) and
/// <c>credentials.json</c>, which holds tokens and secrets and so is written with mode 0600; when it
/// is found readable by others the tool says so on every use.
/// </summary>
internal sealed class ProfileStore(string directory, TextWriter warnings)
{
    private const string ServersFile = "servers.json";
    private const string CredentialsFile = "credentials.json";
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OthersAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    private bool _warned;

    public string Directory { get; } = directory;

    public string CredentialsPath => Path.Combine(Directory, CredentialsFile);

    public ServerList LoadServers()
    {
        var path = Path.Combine(Directory, ServersFile);
        return File.Exists(path)
            ? Read(path, s => JsonSerializer.Deserialize(s, ProfileJsonContext.Default.ServerList)) ?? new ServerList()
            : new ServerList();
    }

    public void SaveServers(ServerList servers) =>
        Write(Path.Combine(Directory, ServersFile), JsonSerializer.Serialize(servers, ProfileJsonContext.Default.ServerList), secret: false);

    public Dictionary<string, Credential> LoadCredentials()
    {
        var path = CredentialsPath;
        if (!File.Exists(path))
        {
            return new(StringComparer.Ordinal);
        }

        WarnIfExposed(path);
        var read = Read(path, s => JsonSerializer.Deserialize(s, ProfileJsonContext.Default.DictionaryStringCredential));
        return read is null ? new(StringComparer.Ordinal) : new(read, StringComparer.Ordinal);
    }

    public void SaveCredentials(Dictionary<string, Credential> credentials) =>
        Write(CredentialsPath, JsonSerializer.Serialize(credentials, ProfileJsonContext.Default.DictionaryStringCredential), secret: true);

    public void SaveCredential(string profile, Credential? credential)
    {
        var all = LoadCredentials();
        if (credential is null)
        {
            all.Remove(profile);
        }
        else
        {
            all[profile] = credential;
        }

        SaveCredentials(all);
    }

    /// <summary>The named profile, or the selected one when <paramref name="name"/> is null.</summary>
    public ServerProfile Resolve(string? name)
    {
        var servers = LoadServers();
        var chosen = name ?? servers.Current
            ?? throw CliException.Usage("no server selected: add one with `ssf server add NAME URL`");
        if (!servers.Servers.TryGetValue(chosen, out var entry))
        {
            throw CliException.Usage($"there is no server profile '{chosen}' (see `ssf server list`)");
        }

        var credential = LoadCredentials().GetValueOrDefault(chosen);
        return new ServerProfile(chosen, new Uri(entry.Url.TrimEnd('/') + "/"), credential);
    }

    private void WarnIfExposed(string path)
    {
        if (_warned || OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & OthersAccess) != 0)
        {
            _warned = true;
            warnings.WriteLine($"warning: {path} holds credentials and is readable by others; run `chmod 600 {path}`");
        }
    }

    private static T? Read<T>(string path, Func<string, T?> parse)
    {
        try
        {
            return parse(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new CliException($"{path} is not valid JSON ({ex.Message}); fix or delete it");
        }
    }

    /// <summary>Writes through a new file created with the final mode, then moves it into place, so a secret is never briefly readable.</summary>
    private void Write(string path, string json, bool secret)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
            File.Delete(temporary);
        }

        using (var writer = new StreamWriter(temporary, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.Write(json);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
