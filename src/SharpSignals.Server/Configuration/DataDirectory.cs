using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// The directory that holds everything the server keeps. Secrets in it are written with mode 0600
/// (owner read and write only), atomically, so a crash never leaves half a file.
/// </summary>
internal sealed class DataDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public DataDirectory(IOptions<ServerOptions> options)
    {
        Path = options.Value.DataPath;
        CreatePrivateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Creates a directory only its owner can enter (0700), if it does not exist yet.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnly | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Writes a file readable by its owner only, replacing any earlier one atomically.</summary>
    public void WriteSecret(string name, string contents)
    {
        var target = File(name);
        var temporary = target + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnly;
        }

        // A left-over temporary file would keep its old mode; the new one must be created 0600.
        System.IO.File.Delete(temporary);
        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }

        System.IO.File.Move(temporary, target, overwrite: true);
    }

    /// <summary>Whether the directory can be written to now.</summary>
    public bool IsWritable()
    {
        try
        {
            var probe = File(".write-probe");
            System.IO.File.WriteAllText(probe, "ok");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
