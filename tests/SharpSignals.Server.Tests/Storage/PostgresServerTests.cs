using System.Net;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.Storage;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;

namespace SharpSignals.Server.Tests.Storage;

/// <summary>
/// The server on PostgreSQL (<c>SharpSignals:Storage=postgres</c>): a real server on a fresh database
/// of the test PostgreSQL server carries an event from publish to poll, and <c>/healthz</c> reports
/// the database.
/// </summary>
public sealed class PostgresServerTests : IAsyncLifetime
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private readonly string _database = PostgresTestServer.Instance.CreateDatabase();
    private SsfTestServer _server = null!;

    public Task InitializeAsync()
    {
        _server = new SsfTestServer(new Dictionary<string, string?>
        {
            ["SharpSignals:Storage"] = "postgres",
            ["ConnectionStrings:Postgres"] = _database,
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        PostgresTestServer.Instance.DropDatabase(_database);
    }

    [Fact]
    public async Task PublishThenPoll_OnPostgres_DeliversTheEventFromTheDatabase()
    {
        var stream = await SsfTestServer.CreateStreamAsync(_server.Admin, new { events_requested = new[] { SessionRevoked } });
        var streamId = stream["stream_id"]!.GetValue<string>();

        var jti = await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked());
        var polled = await SsfTestServer.PollAsync(_server.Admin, streamId, new { returnImmediately = true });
        var delivered = Assert.Single(polled["sets"]!.AsObject());
        var acknowledged = await SsfTestServer.PollAsync(_server.Admin, streamId, new { returnImmediately = true, ack = new[] { delivered.Key } });

        var validation = await _server.ValidateAsync(delivered.Value!.GetValue<string>());
        Assert.True(validation.IsValid, validation.Error?.Description);
        Assert.Empty(acknowledged["sets"]!.AsObject());

        // Kept in PostgreSQL, not in an embedded file beside the data.
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM events WHERE jti = @jti", ("jti", jti)));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM deliveries WHERE stream_id = @stream AND state = {DeliveryStateSql.Delivered}", ("stream", streamId)));
        Assert.False(File.Exists(Path.Combine(_server.DataDirectory, StorageServices.DatabaseFileName)));
    }

    [Fact]
    public async Task GetHealthz_DatabaseReachable_Is200_AndGone_Is503()
    {
        using var client = _server.Factory.CreateClient();

        using var healthy = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        PostgresTestServer.Instance.DropDatabase(_database);
        using var gone = await client.GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, gone.StatusCode);
    }

    [Fact]
    public async Task GetLivez_DatabaseGone_Is200_WhileReadyzIs503()
    {
        using var client = _server.Factory.CreateClient();

        using var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative));
        PostgresTestServer.Instance.DropDatabase(_database);
        using var live = await client.GetAsync(new Uri("/livez", UriKind.Relative));
        using var notReady = await client.GetAsync(new Uri("/readyz", UriKind.Relative));

        // Liveness never asks the database: a lost database takes the node out of rotation, never restarts it.
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData(" ", false)]
    [InlineData("Host=localhost;Database=sharpsignals", true)]
    public void Validate_PostgresStorage_NeedsTheConnectionString(string? connectionString, bool valid)
    {
        // The validator itself: a server whose start fails is torn down by the test host in ways that
        // can hide its exception under load, and the start path is covered by the tests above.
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Postgres"] = connectionString })
            .Build();

        var result = new ServerOptionsValidator(configuration).Validate(null, new ServerOptions { Storage = ServerOptions.PostgresStorage });

        Assert.Equal(valid, result.Succeeded);
        Assert.Equal(!valid, result.FailureMessage?.Contains("ConnectionStrings:Postgres", StringComparison.Ordinal) ?? false);
    }

    private async Task<long> ScalarAsync(string sql, (string Name, string Value) parameter)
    {
        await using var connection = new NpgsqlConnection(_database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue(parameter.Name, parameter.Value);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
