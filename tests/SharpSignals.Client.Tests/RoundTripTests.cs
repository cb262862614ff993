using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Cli.Tests.Support;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Client.Tests;

/// <summary>The client against a real SharpSignals server on a loopback port, from discovery to deleting the stream.</summary>
[Collection(ServerCollectionDefinition.Name)]
public sealed class RoundTripTests(LoopbackServer server)
{
    [Fact]
    public async Task DiscoverTokenStreamPublishPollAckVerifyStatusDelete()
    {
        var (clientId, secret) = await RegisterAsync("client-round-trip");
        using var http = new HttpClient();
        var client = new SharedSignalsClient(http, new SharedSignalsClientOptions
        {
            Issuer = server.Url,
            ClientId = clientId,
            ClientSecret = secret,
            Scope = "ssf.manage ssf.read event.publish",
        });

        var metadata = await client.DiscoverAsync();
        Assert.Equal(server.Url, metadata.Issuer);
        Assert.Contains("\"keys\"", await client.GetJwksAsync(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((await client.RequestTokenAsync()).Value));

        var created = await client.CreateStreamAsync(new JsonObject
        {
            ["delivery"] = new JsonObject { ["method"] = DeliveryMethods.Poll },
            ["events_requested"] = new JsonArray(EventTypes.Caep.SessionRevoked),
            ["description"] = "client round trip",
        });
        var (stream, _, errors) = StreamConfiguration.Read(created, server.Url);
        Assert.Empty(errors);
        Assert.Equal(DeliveryMethods.Poll, stream!.DeliveryMethod);
        var pollUrl = stream.DeliveryEndpointUrl!;

        var published = await client.PublishAsync(new SessionRevoked { InitiatingEntity = "admin" }, new EmailSubject("alice@example.com"));
        Assert.Equal(1, published.Streams);

        // The server may have sent a verification event when the stream was created (SSF 1.0 §8.1.4.2);
        // each stream's copy of the event is a SET of its own, with its own aud.
        var received = await PollUntilAsync(client, pollUrl, payload => payload.Contains(EventTypes.Caep.SessionRevoked, StringComparison.Ordinal));
        Assert.Contains("alice@example.com", Assert.Single(received, p => p.Contains(EventTypes.Caep.SessionRevoked, StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Empty((await client.PollAsync(pollUrl, new PollRequest { ReturnImmediately = true })).Sets);

        await client.VerifyAsync(stream.StreamId, "round-trip");
        var verification = await PollUntilAsync(client, pollUrl, payload => payload.Contains("round-trip", StringComparison.Ordinal));
        Assert.Contains(EventTypes.Ssf.Verification, Assert.Single(verification), StringComparison.Ordinal);
        Assert.Empty((await client.PollAsync(pollUrl, new PollRequest { ReturnImmediately = true })).Sets);

        var paused = await client.SetStatusAsync(stream.StreamId, "paused", "maintenance");
        Assert.Equal("paused", paused!["status"]!.GetValue<string>());
        Assert.Equal("paused", (await client.GetStatusAsync(stream.StreamId))!["status"]!.GetValue<string>());

        var updated = await client.UpdateStreamAsync(new JsonObject { ["stream_id"] = stream.StreamId, ["description"] = "renamed" });
        Assert.Equal("renamed", updated!["description"]!.GetValue<string>());

        await client.DeleteStreamAsync(stream.StreamId);
        var gone = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.GetStreamAsync(stream.StreamId));
        Assert.Equal(404, gone.Status);
        Assert.NotNull(gone.Problem);
    }

    [Fact]
    public async Task RefusedEvent_ProblemDetailsNameEveryProblem()
    {
        var (clientId, secret) = await RegisterAsync("client-refused");
        using var http = new HttpClient();
        var client = new SharedSignalsClient(http, new SharedSignalsClientOptions { Issuer = server.Url, ClientId = clientId, ClientSecret = secret });

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.PublishAsync(new JsonObject
        {
            ["events"] = new JsonObject { ["https://schemas.openid.net/secevent/caep/event-type/session-revokd"] = new JsonObject() },
            ["sub_id"] = new JsonObject { ["format"] = "email", ["email"] = "a@example.com" },
        }));

        Assert.Equal(400, refused.Status);
        Assert.Contains("did you mean", refused.Problem!.Detail, StringComparison.Ordinal);
        Assert.NotEmpty(refused.Problem.Errors!);
    }

    /// <summary>Polls, acknowledging what came, until a SET whose claims <paramref name="wanted"/> came; returns the claims of every SET received.</summary>
    private static async Task<List<string>> PollUntilAsync(SharedSignalsClient client, string pollUrl, Func<string, bool> wanted)
    {
        var received = new List<string>();
        List<string> ack = [];
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!received.Any(wanted))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the SET did not come; came: {string.Join(", ", received)}");
            var answer = await client.PollAsync(pollUrl, new PollRequest { Ack = ack, MaxEvents = 10, ReturnImmediately = false }, TimeSpan.FromSeconds(20));
            ack = [.. answer.Sets.Select(s => s.Key)];
            received.AddRange(answer.Sets.Select(s => Base64UrlEncoder.Decode(s.Value!.Split('.')[1])));
        }

        await client.PollAsync(pollUrl, new PollRequest { Ack = ack, MaxEvents = 0, ReturnImmediately = true });
        return received;
    }

    /// <summary>An initial access token from the admin, then a client registered with it (docs/API.md, "Registration").</summary>
    private async Task<(string ClientId, string Secret)> RegisterAsync(string project)
    {
        using var http = new HttpClient();
        var admin = new SharedSignalsClient(http, new SharedSignalsClientOptions { Issuer = server.Url, AuthorizationHeader = "Bearer " + server.AdminToken });
        var iat = (await admin.SendAsync(new SharedSignalsRequest(HttpMethod.Post, "iat") { Body = new JsonObject { ["project"] = project, ["expires_in"] = 600 } })).Json()!["token"]!.GetValue<string>();
        var registered = (await admin.SendAsync(new SharedSignalsRequest(HttpMethod.Post, "register")
        {
            Authorization = "Bearer " + iat,
            Body = new JsonObject { ["client_name"] = project, ["scope"] = "ssf.manage ssf.read event.publish" },
        })).Json()!;
        return (registered["client_id"]!.GetValue<string>(), registered["client_secret"]!.GetValue<string>());
    }
}
