using System.Diagnostics;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// Files and directories made read-only for real until disposed. Tests run as root, whom file modes
/// do not stop, so as root this is <c>chattr +i</c>: an immutable inode, which no one may write,
/// create files in or remove (on ext4, xfs and btrfs; root has the CAP_LINUX_IMMUTABLE it needs).
/// Writes through a file already open fail as on a file system remounted read-only (EPERM/EROFS,
/// which SQLite reports as SQLITE_IOERR). Any other user gets the file modes taken away, which stop
/// new files and new opens but not writes through descriptors already open.
/// </summary>
internal sealed class ReadOnlyFiles : IDisposable
{
    private readonly List<(string Path, UnixFileMode Mode)> _paths = [];

    private ReadOnlyFiles()
    {
    }

    public static bool IsRoot => Environment.UserName == "root";

    public static ReadOnlyFiles Make(params string[] paths)
    {
        var readOnly = new ReadOnlyFiles();
        foreach (var path in paths.Where(p => File.Exists(p) || Directory.Exists(p)))
        {
            readOnly._paths.Add((path, File.GetUnixFileMode(path)));
            if (IsRoot)
            {
                Chattr("+i", path);
            }
            else
            {
                File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~(UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
            }
        }

        return readOnly;
    }

    public void Dispose()
    {
        foreach (var (path, mode) in _paths)
        {
            if (IsRoot)
            {
                Chattr("-i", path);
            }
            else
            {
                File.SetUnixFileMode(path, mode);
            }
        }

        _paths.Clear();
    }

    private static void Chattr(string change, string path)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(change);
        start.ArgumentList.Add(path);
        using var chattr = Process.Start(start)!;
        var error = chattr.StandardError.ReadToEnd();
        chattr.WaitForExit();
        if (chattr.ExitCode != 0)
        {
            throw new InvalidOperationException($"chattr {change} {path} failed ({chattr.ExitCode}): {error}");
        }
    }
}
