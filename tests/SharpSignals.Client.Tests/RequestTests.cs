using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Client.Tests.Support;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Client.Tests;

/// <summary>The exact requests the client sends, seen by a real endpoint on a loopback port.</summary>
public sealed class RequestTests : EndpointTest
{
    [Fact]
    public async Task ClientCredentials_BasicAuthenticationWithScope_TokenCachedUntilNearExpiry()
    {
        Endpoint.Answer = r => r.Path == "/oauth/token"
            ? new Answer(200, """{"access_token":"at-1","token_type":"Bearer","expires_in":3600}""")
            : new Answer(200, """{"stream_id":"s1","status":"enabled"}""");
        var client = Client(o =>
        {
            o.ClientId = "my app";
            o.ClientSecret = "s:cret";
            o.Scope = "ssf.manage ssf.read";
        });

        await client.GetStatusAsync("s1");
        await client.GetStatusAsync("s1");

        var token = Assert.Single(Endpoint.Requests, r => r.Path == "/oauth/token");
        Assert.Equal("POST", token.Method);
        Assert.Equal("application/x-www-form-urlencoded", token.ContentType);
        Assert.Equal("grant_type=client_credentials&scope=ssf.manage+ssf.read", token.Body);

        // RFC 6749 §2.3.1: each part form-urlencoded before the Basic encoding.
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("my%20app:s%3Acret")), token.Authorization);
        Assert.All(Endpoint.Requests.Where(r => r.Path == "/ssf/status"), r =>
        {
            Assert.Equal("Bearer at-1", r.Authorization);
            Assert.Equal("?stream_id=s1", r.Query);
        });
    }

    [Fact]
    public async Task ClientCredentials_Post_SendsTheSecretInTheBody()
    {
        Endpoint.Answer = _ => new Answer(200, """{"access_token":"at","expires_in":60}""");
        var client = Client(o =>
        {
            o.ClientId = "c1";
            o.ClientSecret = "secret";
            o.ClientAuthentication = ClientAuthenticationMethod.ClientSecretPost;
        });

        var token = await client.RequestTokenAsync();

        Assert.Equal(new AccessToken("at", TimeSpan.FromSeconds(60), null), token);
        var request = Assert.Single(Endpoint.Requests);
        Assert.Null(request.Authorization);
        Assert.Equal("grant_type=client_credentials&client_id=c1&client_secret=secret", request.Body);
    }

    [Fact]
    public async Task Unauthorized_RenewsTheAccessTokenOnceAndSendsAgain()
    {
        var issued = 0;
        Endpoint.Answer = r => r.Path == "/oauth/token"
            ? new Answer(200, $$"""{"access_token":"at-{{++issued}}","expires_in":3600}""")
            : r.Authorization == "Bearer at-1" ? new Answer(401) : new Answer(200, """{"stream_id":"s1"}""");
        var client = Client(o =>
        {
            o.ClientId = "c1";
            o.ClientSecret = "secret";
        });

        var stream = await client.GetStreamAsync("s1");

        Assert.Equal("s1", stream!["stream_id"]!.GetValue<string>());
        Assert.Equal(["/oauth/token", "/ssf/streams", "/oauth/token", "/ssf/streams"], Endpoint.Requests.Select(r => r.Path));
    }

    [Fact]
    public async Task FixedAuthorizationHeader_IsSentAsItIsAndNeverRenewed()
    {
        Endpoint.Answer = _ => new Answer(401);
        var client = Client(o => o.AuthorizationHeader = "Bearer fixed");

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.VerifyAsync("s1", "st"));

        Assert.Equal(401, refused.Status);
        var request = Assert.Single(Endpoint.Requests);
        Assert.Equal("Bearer fixed", request.Authorization);
        Assert.Equal("""{"stream_id":"s1","state":"st"}""", request.Body);
    }

    [Fact]
    public async Task StreamManagement_MethodsPathsAndBodies()
    {
        Endpoint.Answer = r => r.Method == "PATCH" ? new Answer(202) : new Answer(200, """{"stream_id":"s1"}""");
        var client = Client(o => o.AuthorizationHeader = "Bearer t");

        await client.CreateStreamAsync(new JsonObject { ["delivery"] = new JsonObject { ["method"] = DeliveryMethods.Poll }, ["description"] = null });
        Assert.Null(await client.UpdateStreamAsync(new JsonObject { ["stream_id"] = "s1", ["description"] = "d" }));
        await client.ReplaceStreamAsync(new JsonObject { ["stream_id"] = "s1" });
        await client.ListStreamsAsync(project: "p 1");
        await client.DeleteStreamAsync("s/1");
        await client.SetStatusAsync("s1", "paused");
        await client.AddSubjectAsync("s1", new EmailSubject("a@example.com"), verified: true);
        await client.RemoveSubjectAsync("s1", new EmailSubject("a@example.com"));

        Assert.Equal(
            [
                "POST /ssf/streams {\"delivery\":{\"method\":\"urn:ietf:rfc:8936\"}}",
                "PATCH /ssf/streams {\"stream_id\":\"s1\",\"description\":\"d\"}",
                "PUT /ssf/streams {\"stream_id\":\"s1\"}",
                "GET /ssf/streams?project=p%201 ",
                "DELETE /ssf/streams?stream_id=s%2F1 ",
                "POST /ssf/status {\"stream_id\":\"s1\",\"status\":\"paused\"}",
                "POST /ssf/subjects/add {\"stream_id\":\"s1\",\"subject\":{\"format\":\"email\",\"email\":\"a@example.com\"},\"verified\":true}",
                "POST /ssf/subjects/remove {\"stream_id\":\"s1\",\"subject\":{\"format\":\"email\",\"email\":\"a@example.com\"}}",
            ],
            Endpoint.Requests.Select(r => $"{r.Method} {r.Path}{r.Query} {r.Body}"));
        Assert.All(Endpoint.Requests.Where(r => r.Body.Length > 0), r => Assert.StartsWith("application/json", r.ContentType, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Discovery_EndpointsFromTheMetadataAreUsedAfterwards()
    {
        Endpoint.Answer = r => r.Path switch
        {
            "/.well-known/ssf-configuration/tenant" => new Answer(200, $$"""{"issuer":"{{Endpoint.Url}}/tenant","jwks_uri":"{{Endpoint.Url}}/keys","configuration_endpoint":"{{Endpoint.Url}}/cfg","verification_endpoint":"{{Endpoint.Url}}/v"}"""),
            "/keys" => new Answer(200, """{"keys":[]}"""),
            _ => new Answer(200, "{}"),
        };
        var client = Client(o =>
        {
            o.Issuer = Endpoint.Url + "/tenant";
            o.AuthorizationHeader = "Bearer t";
        });

        var metadata = await client.DiscoverAsync();
        Assert.Equal(Endpoint.Url + "/cfg", metadata.ConfigurationEndpoint);
        Assert.Equal("""{"keys":[]}""", await client.GetJwksAsync());
        await client.GetStreamAsync("s1");
        await client.VerifyAsync("s1");
        var missing = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.GetStatusAsync("s1"));

        Assert.Contains("advertises no status_endpoint", missing.Message, StringComparison.Ordinal);
        Assert.Equal(["/.well-known/ssf-configuration/tenant", "/keys", "/cfg", "/v"], Endpoint.Requests.Select(r => r.Path));
        Assert.Null(Endpoint.Requests[0].Authorization);
        Assert.Null(Endpoint.Requests[1].Authorization);
    }

    [Fact]
    public async Task Discovery_MetadataOfAnotherIssuer_IsRefused()
    {
        Endpoint.Answer = _ => new Answer(200, """{"issuer":"https://elsewhere.example"}""");
        var client = Client(_ => { });

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.DiscoverAsync());

        Assert.Contains($"names the issuer 'https://elsewhere.example', not '{Endpoint.Url}'", refused.Message, StringComparison.Ordinal);
        Assert.Null(client.Metadata);
    }

    [Fact]
    public async Task Poll_SendsAckAndSetErrs_ReadsTheSetsInOrder()
    {
        Endpoint.Answer = _ => new Answer(200, """{"sets":{"j2":"t2","j1":"t1","j3":{}},"moreAvailable":true}""");
        var client = Client(o => o.AuthorizationHeader = "Bearer t");

        var answer = await client.PollAsync(SharedSignalsClient.PollEndpoint("s 1"), new PollRequest
        {
            MaxEvents = 10,
            ReturnImmediately = false,
            Ack = ["a1"],
            SetErrs = new Dictionary<string, PollSetError> { ["e1"] = new("invalid_key", "unknown kid") },
        }, TimeSpan.FromSeconds(5));

        Assert.True(answer.MoreAvailable);
        Assert.Equal([new("j2", "t2"), new("j1", "t1"), new KeyValuePair<string, string?>("j3", null)], answer.Sets);
        var request = Assert.Single(Endpoint.Requests);
        Assert.Equal("/ssf/poll/s%201", request.RawTarget);
        Assert.Equal("""{"maxEvents":10,"returnImmediately":false,"ack":["a1"],"setErrs":{"e1":{"err":"invalid_key","description":"unknown kid"}}}""", request.Body);
    }

    [Fact]
    public async Task Poll_AcknowledgementOnly_LeavesTheUnsetMembersOut()
    {
        Endpoint.Answer = _ => new Answer(200, """{"sets":{}}""");
        var client = Client(o => o.AuthorizationHeader = "Bearer t");

        var answer = await client.PollAsync(Endpoint.Url + "/poll", new PollRequest { Ack = ["a1"], MaxEvents = 0 });

        Assert.Empty(answer.Sets);
        Assert.False(answer.MoreAvailable);
        Assert.Equal("""{"maxEvents":0,"ack":["a1"]}""", Assert.Single(Endpoint.Requests).Body);
    }

    [Fact]
    public async Task Publish_TypedEvent_WritesEventsAndSubId()
    {
        Endpoint.Answer = _ => new Answer(202, """{"jti":"j-1","streams":2}""");
        var client = Client(o => o.AuthorizationHeader = "Bearer t");

        var published = await client.PublishAsync(
            new PublishRequest([new SessionRevoked { InitiatingEntity = "admin" }], new EmailSubject("alice@example.com"))
            {
                Txn = "tx-1",
                TimeOfEvent = DateTimeOffset.FromUnixTimeSeconds(1700000000),
                Project = "p1",
            });

        Assert.Equal(new PublishResult("j-1", 2), published);
        var request = Assert.Single(Endpoint.Requests);
        Assert.Equal("POST /events?project=p1", $"{request.Method} {request.Path}{request.Query}");
        Assert.Equal(
            $$$"""{"events":{"{{{EventTypes.Caep.SessionRevoked}}}":{"initiating_entity":"admin"}},"sub_id":{"format":"email","email":"alice@example.com"},"txn":"tx-1","toe":1700000000}""",
            request.Body);
    }

    [Fact]
    public async Task AddSharedSignalsClient_ResolvesATypedClientSharingTheTokens()
    {
        Endpoint.Answer = r => r.Path == "/oauth/token"
            ? new Answer(200, """{"access_token":"shared","expires_in":3600}""")
            : new Answer(202, """{"jti":"j","streams":0}""");
        var services = new ServiceCollection();
        services.AddSharedSignalsClient(o =>
        {
            o.Issuer = Endpoint.Url;
            o.ClientId = "c1";
            o.ClientSecret = "secret";
        });
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<SharedSignalsClient>().PublishAsync(new SessionRevoked(), new EmailSubject("a@example.com"));
        await provider.GetRequiredService<SharedSignalsClient>().PublishAsync(new SessionRevoked(), new EmailSubject("b@example.com"));

        Assert.Equal(["/oauth/token", "/events", "/events"], Endpoint.Requests.Select(r => r.Path));
        Assert.All(Endpoint.Requests.Skip(1), r => Assert.Equal("Bearer shared", r.Authorization));
    }

    [Fact]
    public void MetadataUrl_PutsTheWellKnownSegmentBeforeTheIssuersPath()
    {
        Assert.Equal(new Uri("https://a.example/.well-known/ssf-configuration/t/1"), SharedSignalsClient.MetadataUrl("https://a.example/t/1/"));
        Assert.Equal(new Uri("https://a.example/.well-known/ssf-configuration"), SharedSignalsClient.MetadataUrl("https://a.example"));
    }

    private SharedSignalsClient Client(Action<SharedSignalsClientOptions> configure)
    {
        var options = new SharedSignalsClientOptions { Issuer = Endpoint.Url, Timeout = TimeSpan.FromSeconds(10) };
        configure(options);
        return new SharedSignalsClient(Http, options);
    }
}
