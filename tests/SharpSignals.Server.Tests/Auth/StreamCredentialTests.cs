using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Auth;

/// <summary>
/// A stream's own credential (docs/API.md, "Stream credentials"): no expiry, accepted at its stream's
/// poll or push endpoint and nowhere else, replaced when another is issued, gone once revoked, and
/// stored only as its hash.
/// </summary>
public sealed class StreamCredentialTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private SsfTestServer _server = null!;
    private HttpClient _receiver = null!;

    public async Task InitializeAsync()
    {
        _server = new SsfTestServer(time: _time);
        (_receiver, _, _) = await _server.RegisterClientAsync();
    }

    public async Task DisposeAsync()
    {
        _receiver.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Poll_WithTheStreamCredential_StillWorksAfterTheAccessTokenExpired()
    {
        var streamId = await PollStreamAsync();
        var issued = await IssueAsync(streamId);
        var jti = await SsfTestServer.PublishAsync(_receiver, SsfTestServer.SessionRevoked());

        _time.Advance(TimeSpan.FromHours(25));

        using var expired = await _receiver.PostAsJsonAsync($"/ssf/poll/{streamId}", new { returnImmediately = true });
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal($"{ServerFactory.Issuer}/ssf/poll/{streamId}", (string?)issued["endpoint_url"]);
        using var polled = await PollAsync((string)issued["authorization_header"]!, streamId);
        Assert.Equal(HttpStatusCode.OK, polled.StatusCode);
        var sets = (await polled.Content.ReadFromJsonAsync<JsonObject>())!["sets"]!.AsObject();
        Assert.Single(sets);
        Assert.NotEqual(jti, sets.Single().Key);
    }

    [Fact]
    public async Task StreamCredential_ElsewhereThanItsStreamsPollEndpoint_IsAnInvalidToken()
    {
        var streamId = await PollStreamAsync();
        var other = await PollStreamAsync();
        var header = (string)(await IssueAsync(streamId))["authorization_header"]!;

        using var otherStream = await PollAsync(header, other);
        using var management = await SendAsync(header, HttpMethod.Get, $"/ssf/streams?stream_id={streamId}");
        using var status = await SendAsync(header, HttpMethod.Get, $"/ssf/status?stream_id={streamId}");
        using var issue = await SendAsync(header, HttpMethod.Post, $"/ssf/streams/{streamId}/credential");
        using var publish = await SendAsync(header, HttpMethod.Post, "/events", SsfTestServer.SessionRevoked());

        AssertInvalidToken(otherStream, "The stream credential is not valid for this stream.");
        foreach (var response in new[] { management, status, issue, publish })
        {
            AssertInvalidToken(response, "A stream credential is accepted only at its own stream's poll and push endpoints.");
        }
    }

    [Fact]
    public async Task StreamCredential_RotatedThenRevoked_StopsWorking()
    {
        var streamId = await PollStreamAsync();
        var first = (string)(await IssueAsync(streamId))["authorization_header"]!;
        using (var before = await PollAsync(first, streamId))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var second = (string)(await IssueAsync(streamId))["authorization_header"]!;
        using var rotatedOut = await PollAsync(first, streamId);
        using var current = await PollAsync(second, streamId);
        using var revoke = await _receiver.DeleteAsync(new Uri($"/ssf/streams/{streamId}/credential", UriKind.Relative));
        using var revoked = await PollAsync(second, streamId);

        AssertInvalidToken(rotatedOut, "The stream credential is not valid for this stream.");
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        AssertInvalidToken(revoked, "The stream credential is not valid for this stream.");
    }

    [Fact]
    public async Task StreamCredential_IsStoredAsItsSha256Only()
    {
        var streamId = await PollStreamAsync();

        await AssertStoredAsHashOnlyAsync(streamId, (string)(await IssueAsync(streamId))["authorization_header"]!);
    }

    [Fact]
    public async Task CreateInboundPush_TheCredentialShown_IsTheStreamCredentialStoredAsItsSha256Only()
    {
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = "https://127.0.0.1/source" },
        });

        await AssertStoredAsHashOnlyAsync((string)inbound["stream_id"]!, (string)inbound["delivery"]!["authorization_header"]!);
    }

    private async Task AssertStoredAsHashOnlyAsync(string streamId, string header)
    {
        var token = header["Bearer ".Length..];
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_server.DataDirectory, "sharpsignals.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT credential_hash, configuration FROM streams WHERE stream_id = $stream";
        command.Parameters.AddWithValue("$stream", streamId);
        await using var row = await command.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());

        Assert.StartsWith("ssc_", token, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token))), row.GetString(0));
        Assert.DoesNotContain(token, row.GetString(1), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamCredential_OfAnInboundPushStream_ReplacesTheCredentialShownAtCreation()
    {
        await using var source = await TestTransmitter.StartAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(_server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = source.Issuer },
        });
        var streamId = (string)inbound["stream_id"]!;
        var created = (string)inbound["delivery"]!["authorization_header"]!;

        var issued = await IssueAsync(streamId, _server.Admin);
        using var withCreated = await PushAsync(created, streamId, source.Sign(ServerFactory.Issuer));
        using var withIssued = await PushAsync((string)issued["authorization_header"]!, streamId, source.Sign(ServerFactory.Issuer));

        Assert.Equal(HttpStatusCode.Unauthorized, withCreated.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withIssued.StatusCode);
        Assert.Equal($"{ServerFactory.Issuer}/ssf/push/{streamId}", (string?)issued["endpoint_url"]);
    }

    [Fact]
    public async Task IssueCredential_ForAStreamThisServerPushes_Is400()
    {
        var created = await SsfTestServer.CreateStreamAsync(_receiver, new
        {
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = "http://127.0.0.1:9/events", authorization_header = "Bearer theirs" },
        });

        using var response = await _receiver.PostAsync(new Uri($"/ssf/streams/{(string)created["stream_id"]!}/credential", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static void AssertInvalidToken(HttpResponseMessage response, string description)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());
    }

    private async Task<string> PollStreamAsync() =>
        (string)(await SsfTestServer.CreateStreamAsync(_receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;

    private async Task<JsonObject> IssueAsync(string streamId, HttpClient? owner = null)
    {
        using var response = await (owner ?? _receiver).PostAsync(new Uri($"/ssf/streams/{streamId}/credential", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private Task<HttpResponseMessage> PollAsync(string header, string streamId) =>
        SendAsync(header, HttpMethod.Post, $"/ssf/poll/{streamId}", """{"returnImmediately":true}""");

    private Task<HttpResponseMessage> PushAsync(string header, string streamId, string set)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{streamId}") { Content = new StringContent(set, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        request.Headers.TryAddWithoutValidation("Authorization", header);
        return SendAsync(request);
    }

    private Task<HttpResponseMessage> SendAsync(string header, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Authorization", header);
        return SendAsync(request);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        using (request)
        {
            using var client = _server.Factory.CreateClient();
            return await client.SendAsync(request);
        }
    }
}
