using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Http;

/// <summary>
/// The durability contract: a data directory that cannot be written while the server runs answers
/// 503 with Retry-After (nothing was stored; try again), not a generic 500, and the server takes
/// events again once the directory is writable.
/// </summary>
public sealed class ReadOnlyDataDirectoryTests
{
    [Fact]
    public async Task PostEvents_DataDirectoryMadeReadOnlyWhileRunning_Is503WithRetryAfterThen202()
    {
        await using var server = new SsfTestServer();
        Assert.Equal(HttpStatusCode.Accepted, await PublishAsync(server, "before"));

        // The directory, the database and its write-ahead log. Not the log's index (-shm): SQLite maps
        // it into memory, and a mapping made read-only under a running process faults it (SIGBUS),
        // which no directory made read-only does to a mapping already made.
        using (ReadOnlyFiles.Make(server.DataDirectory, Path.Combine(server.DataDirectory, "sharpsignals.db"), Path.Combine(server.DataDirectory, "sharpsignals.db-wal")))
        {
            using var refused = await server.Admin.PostAsync(new Uri("/events", UriKind.Relative), Event("while read-only"));
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
        }

        Assert.Equal(HttpStatusCode.Accepted, await PublishAsync(server, "after"));
    }

    private static async Task<HttpStatusCode> PublishAsync(SsfTestServer server, string reason)
    {
        using var response = await server.Admin.PostAsync(new Uri("/events", UriKind.Relative), Event(reason));
        return response.StatusCode;
    }

    private static StringContent Event(string reason) =>
        new(SsfTestServer.SessionRevoked(reason: reason), Encoding.UTF8, "application/json");
}
