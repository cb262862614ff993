using Npgsql;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Cluster;

/// <summary>
/// Nodes of one cluster as real server processes: each its own data directory and port, all on one
/// fresh database of the test PostgreSQL server and one issuer (the first node's address), as
/// behind a load balancer. Leases and checks are short so that takeovers happen within a test.
/// </summary>
internal sealed class ClusterFixture : IAsyncDisposable
{
    public const double LeaseSeconds = 3;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly List<TemporaryDirectory> _directories = [];
    private readonly int _firstPort = ServerProcess.FreePort();

    public string ConnectionString { get; } = PostgresTestServer.Instance.CreateDatabase();

    public List<ServerProcess> Nodes { get; } = [];

    /// <summary>The one issuer of the cluster: the first node's address.</summary>
    public string Issuer => $"http://127.0.0.1:{_firstPort}";

    /// <summary>The admin token, written by the first node to start (the others find its hash in the database).</summary>
    public string AdminToken => Nodes[0].ReadAdminToken();

    /// <summary>
    /// Starts a node named <paramref name="nodeId"/>; <paramref name="checkSeconds"/> is how often it looks
    /// at the store whatever the notices say; <paramref name="settings"/> are more <c>--Key=value</c> arguments.
    /// </summary>
    public async Task<ServerProcess> StartNodeAsync(string nodeId, double checkSeconds = 1, IEnumerable<string>? settings = null)
    {
        var directory = new TemporaryDirectory();
        _directories.Add(directory);
        var node = await ServerProcess.StartAsync(
            directory.Path,
            Nodes.Count == 0 ? _firstPort : ServerProcess.FreePort(),
            StartTimeout,
            [
                "--SharpSignals:Storage=postgres",
                $"--ConnectionStrings:Postgres={ConnectionString}",
                $"--SharpSignals:Cluster:NodeId={nodeId}",
                FormattableString.Invariant($"--SharpSignals:Cluster:LeaseSeconds={LeaseSeconds}"),
                FormattableString.Invariant($"--SharpSignals:Cluster:CheckSeconds={checkSeconds}"),
                "--SharpSignals:Push:InitialBackoffSeconds=0.2",
                .. settings ?? [],
            ],
            Issuer);
        Nodes.Add(node);
        return node;
    }

    /// <summary>The node that holds a stream's push lease now, waiting until one (other than <paramref name="other"/>) does.</summary>
    public async Task<string> WaitForLeaseHolderAsync(string streamId, TimeSpan timeout, string? other = null)
    {
        var holder = await Eventually.GetAsync(
            () => ScalarAsync<string>("SELECT node_id FROM stream_leases WHERE stream_id = @stream AND expires_at > now()", ("stream", streamId)),
            node => node is not null && node != other,
            $"a node{(other is null ? "" : $" other than {other}")} to take stream {streamId}'s push lease",
            timeout);
        return holder!;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync() is T value2 ? value2 : default;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            await node.DisposeAsync();
        }

        foreach (var directory in _directories)
        {
            directory.Dispose();
        }

        NpgsqlConnection.ClearAllPools();
        PostgresTestServer.Instance.DropDatabase(ConnectionString);
    }
}
