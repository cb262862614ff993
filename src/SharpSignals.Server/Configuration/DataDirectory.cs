using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Configuration;

/// <summary>
/// The directory that holds everything the server keeps. Secrets in it are written with mode 0600
/// (owner read and write only), atomically, so a crash never leaves half a file. One server at a
/// time: it holds an exclusive lock on <see cref="LockFileName"/> for its lifetime, which the
/// operating system releases with the process however it ends (kill -9 included).
/// </summary>
internal sealed class DataDirectory : IDisposable
{
    public const string LockFileName = "server.lock";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>How long a server in this process that is stopping may take to let go of the directory.</summary>
    private static readonly TimeSpan InProcessRelease = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The directories servers in this process hold. A host's services may still be disposed on its
    /// own thread when the next host on the same directory starts (tests restart servers in
    /// process); that one is waited for, while another process's lock refuses the start at once.
    /// </summary>
    private static readonly ConcurrentDictionary<string, DataDirectory> HeldInThisProcess = new(StringComparer.Ordinal);

    private readonly FileStream _lock;

    public DataDirectory(IOptions<ServerOptions> options)
    {
        Path = options.Value.DataPath;
        try
        {
            CreatePrivateDirectory(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(ex);
        }

        _lock = Lock();
        if (WriteProbe() is { } failure)
        {
            Dispose();
            throw Unusable(failure);
        }
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
    public bool IsWritable() => WriteProbe() is null;

    public void Dispose()
    {
        _lock.Dispose();
        HeldInThisProcess.TryRemove(new KeyValuePair<string, DataDirectory>(Path, this));
    }

    /// <summary>
    /// Two servers on one directory would both run, each routing only what it took in, so the events
    /// the second accepted would never be delivered (a SQLite file is one node's store; a cluster's
    /// nodes share a database, each with its own directory). FileShare.None is an exclusive flock(2)
    /// on Unix and a sharing lock on Windows: both end with the process.
    /// </summary>
    private FileStream Lock()
    {
        var path = File(LockFileName);
        SpinWait.SpinUntil(() => !HeldInThisProcess.ContainsKey(Path), InProcessRelease);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            var locked = new FileStream(path, options);
            HeldInThisProcess[Path] = this;
            return locked;
        }
        catch (IOException ex) when (ex is not (FileNotFoundException or DirectoryNotFoundException) && System.IO.File.Exists(path))
        {
            throw new StartFailureException(
                $"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)} '{Path}' is held by another SharpSignals server (it has {LockFileName} locked): stop that one, or give this one a directory of its own.",
                ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unusable(ex);
        }
    }

    private StartFailureException Unusable(Exception reason) =>
        new($"{ServerOptions.Section}:{nameof(ServerOptions.DataDirectory)} '{Path}' cannot be used ({reason.Message}): it must be a directory this user can create and write files in.", reason);

    /// <summary>A file created and removed, so that a directory whose files may be written but that takes no new one shows too.</summary>
    private Exception? WriteProbe()
    {
        var probe = File($".write-probe-{Guid.NewGuid():N}");
        try
        {
            System.IO.File.WriteAllText(probe, "ok");
            System.IO.File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex;
        }
    }
}
