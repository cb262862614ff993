using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace SharpSignals.Tests.Support;

/// <summary>
/// A real PostgreSQL server for the tests of one test assembly, and a fresh database on it for each
/// test. The server is the one named by <c>SHARPSIGNALS_TEST_POSTGRES</c> (a connection string of a
/// role that may create databases) or, when that is not set, a throw-away cluster this class makes
/// with the Debian package's <c>initdb</c>/<c>pg_ctl</c> in a temporary directory on a free port, as
/// the <c>postgres</c> user when the tests run as root (initdb refuses root), and stops and deletes
/// when the test process exits. When neither is possible every test that needs it fails with the
/// reason: these tests are never skipped.
/// </summary>
/// <remarks>
/// One server per assembly, shared through a static instance rather than an xunit collection fixture:
/// xunit 2 has no assembly fixtures, and a collection fixture would put every class that uses it in
/// one collection and so run them one after the other. Each test gets its own database instead, so
/// test classes run in parallel and every test starts clean.
/// </remarks>
internal sealed class PostgresTestServer
{
    public const string EnvironmentVariable = "SHARPSIGNALS_TEST_POSTGRES";

    private const string ClusterUser = "postgres";
    private const string PackageDirectory = "/usr/lib/postgresql";

    private static readonly Lazy<PostgresTestServer> Shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private PostgresTestServer(string adminConnectionString, string description)
    {
        AdminConnectionString = adminConnectionString;
        Description = description;
    }

    /// <summary>The assembly's server, started on first use; throws with the reason when there can be none.</summary>
    public static PostgresTestServer Instance => Shared.Value;

    /// <summary>A connection string of a role that may create and drop databases.</summary>
    public string AdminConnectionString { get; }

    /// <summary>Where the server comes from, for messages.</summary>
    public string Description { get; }

    /// <summary>Creates an empty database with a random name and returns its connection string.</summary>
    public string CreateDatabase()
    {
        var name = "sharpsignals_test_" + Guid.NewGuid().ToString("N");
        try
        {
            Execute($"CREATE DATABASE \"{name}\"");
        }
        catch (NpgsqlException ex)
        {
            throw new InvalidOperationException($"Could not create a test database on {Description}: {ex.Message}", ex);
        }

        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ToString();
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/>, closing what is still connected to it.</summary>
    public void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using (var connection = new NpgsqlConnection(connectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        Execute($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    /// <summary>
    /// Cuts a database off (no new connections, every open one closed) or lets it be reached again:
    /// to the nodes using it, the database is lost, while the other tests' databases stay up.
    /// </summary>
    public void SetReachable(string connectionString, bool reachable)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        Execute($"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS {(reachable ? "true" : "false")}");
        if (!reachable)
        {
            Execute($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()");
        }
    }

    private void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private static PostgresTestServer Start()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return new PostgresTestServer(given, $"the server in {EnvironmentVariable}");
        }

        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            $"The PostgreSQL tests need a server and found none: set {EnvironmentVariable} to the connection string of a role " +
            $"that may create databases, or install the Debian package 'postgresql' (its initdb and pg_ctl under {PackageDirectory}/<version>/bin) " +
            "so that the tests start a throw-away cluster themselves. .ci/run installs the package.");
        var runAs = Environment.IsPrivilegedProcess ? ClusterUser : null;
        if (runAs is not null && Run("id", ["-u", runAs], null).ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL tests run as root, and initdb refuses root, but there is no '{runAs}' user to run the cluster as " +
                $"(the Debian package 'postgresql' creates it). Install the package, or set {EnvironmentVariable}.");
        }

        // A port can be taken between the probe and the start: try a few.
        var errors = new List<string>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var cluster = new Cluster(binaries, runAs, FreePort());
            try
            {
                cluster.Start();
                cluster.StopWhenThisProcessEnds();
                return new PostgresTestServer(cluster.ConnectionString, $"a throw-away cluster in {cluster.Directory}");
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
                cluster.Stop();
            }
        }

        throw new InvalidOperationException("The PostgreSQL tests could not start a throw-away cluster:\n" + string.Join("\n---\n", errors));
    }

    /// <summary>The bin directory of the newest installed PostgreSQL (Debian keeps it off the PATH).</summary>
    private static string? FindBinaries()
    {
        if (!Directory.Exists(PackageDirectory))
        {
            return null;
        }

        return Directory.GetDirectories(PackageDirectory)
            .Select(d => (Directory: d, Version: decimal.TryParse(Path.GetFileName(d), CultureInfo.InvariantCulture, out var v) ? v : -1))
            .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Directory, "bin", "initdb")) && File.Exists(Path.Combine(d.Directory, "bin", "pg_ctl")))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Directory, "bin"))
            .FirstOrDefault();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static (int ExitCode, string Output) Run(string file, IReadOnlyList<string> arguments, string? runAs)
    {
        var start = new ProcessStartInfo(runAs is null ? file : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (runAs is not null)
        {
            foreach (var argument in new[] { "-u", runAs, "--", file })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not run {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>A cluster in its own temporary directory: initdb, configure, start, and at the end stop and delete.</summary>
    private sealed class Cluster(string binaries, string? runAs, int port)
    {
        public string Directory { get; } = Path.Combine(Path.GetTempPath(), "sharpsignals-pg-" + Guid.NewGuid().ToString("N"));

        private string Data => Path.Combine(Directory, "data");

        private string Log => Path.Combine(Directory, "postgres.log");

        public string ConnectionString => new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = ClusterUser,
            Database = "postgres",
        }.ToString();

        public void Start()
        {
            System.IO.Directory.CreateDirectory(Directory);
            if (runAs is not null)
            {
                Check("chown", [runAs, Directory], null);
            }

            Check(Path.Combine(binaries, "initdb"), ["-D", Data, "-U", ClusterUser, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], runAs);

            // Loopback TCP only, no Unix socket (its default directory may not be writable), and no
            // fsync: the cluster is thrown away, and the tests check behaviour, not durability.
            File.AppendAllText(Path.Combine(Data, "postgresql.conf"), $"""

                port = {port}
                listen_addresses = '127.0.0.1'
                unix_socket_directories = ''
                max_connections = 300
                fsync = off
                full_page_writes = off
                synchronous_commit = off

                """);
            Check(Path.Combine(binaries, "pg_ctl"), ["-D", Data, "-l", Log, "-w", "-t", "60", "start"], runAs);
        }

        /// <summary>
        /// Stops and deletes the cluster once this process is gone, however it ends: the test host is
        /// killed soon after the run, often before a ProcessExit handler could finish, so a detached
        /// watchdog (its own session, outside the test host's process tree) does it.
        /// </summary>
        public void StopWhenThisProcessEnds()
        {
            const string Watchdog = """
                exec </dev/null >/dev/null 2>&1
                pid=$1; directory=$2; shift 2
                while kill -0 "$pid"; do sleep 1; done
                "$@"
                rm -rf "$directory"
                """;
            var stop = new List<string>();
            if (runAs is not null)
            {
                stop.AddRange(["runuser", "-u", runAs, "--"]);
            }

            stop.AddRange([Path.Combine(binaries, "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop"]);
            Check("setsid", ["-f", "sh", "-c", Watchdog, "sh", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), Directory, .. stop], null);
        }

        public void Stop()
        {
            if (!System.IO.Directory.Exists(Directory))
            {
                return;
            }

            if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            {
                Run(Path.Combine(binaries, "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"], runAs);
            }

            System.IO.Directory.Delete(Directory, recursive: true);
        }

        private void Check(string file, IReadOnlyList<string> arguments, string? user)
        {
            var (exitCode, output) = Run(file, arguments, user);
            if (exitCode != 0)
            {
                var log = File.Exists(Log) ? File.ReadAllText(Log) : "";
                throw new InvalidOperationException($"{Path.GetFileName(file)} {string.Join(' ', arguments)} failed ({exitCode}):\n{output}\n{log}");
            }
        }
    }
}
