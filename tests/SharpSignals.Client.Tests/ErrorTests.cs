using SharpSignals.Cli.Tests.Support;
using SharpSignals.Client.Tests.Support;

namespace SharpSignals.Client.Tests;

/// <summary>Every failure is one exception type, carrying what the server said in the form it said it.</summary>
public sealed class ErrorTests : EndpointTest
{
    [Fact]
    public async Task ProblemDetails_StatusDetailAndEveryError()
    {
        Endpoint.Answer = _ => new Answer(400, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is not valid","status":400,"detail":"a; b","errors":["a","b"]}""", "application/problem+json");

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => Client().CreateStreamAsync([]));

        Assert.Equal(400, refused.Status);
        Assert.Equal("The request is not valid", refused.Problem!.Title);
        Assert.Equal("a; b", refused.Problem.Detail);
        Assert.Equal(["a", "b"], refused.Problem.Errors!);
        Assert.Equal("a; b", refused.Said);
        Assert.Equal($"Could not create the stream: POST {Endpoint.Url}/ssf/streams answered HTTP 400: a; b.", refused.Message);
    }

    [Fact]
    public async Task PollError_ErrAndDescription()
    {
        Endpoint.Answer = _ => new Answer(400, """{"err":"invalid_request","description":"maxEvents must not be negative"}""");

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => Client().PollAsync("ssf/poll/s1", new PollRequest { MaxEvents = -1 }));

        Assert.Null(refused.Problem);
        Assert.Equal("invalid_request", refused.Error);
        Assert.Equal("maxEvents must not be negative", refused.Description);
        Assert.Equal("invalid_request: maxEvents must not be negative", refused.Said);
    }

    [Fact]
    public async Task TokenEndpoint_OAuthErrorAndChallenge()
    {
        Endpoint.Answer = _ => new Answer(401, """{"error":"invalid_client","error_description":"unknown client"}""")
        {
            Headers = new Dictionary<string, string> { ["WWW-Authenticate"] = "Basic realm=\"ssf\"" },
        };
        var client = new SharedSignalsClient(Http, new SharedSignalsClientOptions { Issuer = Endpoint.Url, ClientId = "c1", ClientSecret = "wrong" });

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.GetStatusAsync("s1"));

        Assert.Equal(401, refused.Status);
        Assert.Equal("invalid_client", refused.Error);
        Assert.Equal("unknown client", refused.Description);
        Assert.Equal("realm=\"ssf\"", refused.Challenge);
        Assert.Equal($"The token endpoint {Endpoint.Url}/oauth/token refused client 'c1': HTTP 401 (invalid_client)", refused.Message);
        Assert.Single(Endpoint.Requests);
    }

    [Fact]
    public async Task TooManyRequests_RetryAfter()
    {
        Endpoint.Answer = _ => new Answer(429, "slow down", "text/plain") { Headers = new Dictionary<string, string> { ["Retry-After"] = "7" } };

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => Client().GetStreamAsync("s1"));

        Assert.Equal(429, refused.Status);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        Assert.Equal("slow down", refused.ResponseBody);
        Assert.EndsWith("answered HTTP 429: slow down.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotJson_IsAFailureOfTheCall()
    {
        Endpoint.Answer = _ => new Answer(200, "<html>", "text/html");

        var refused = await Assert.ThrowsAsync<SharedSignalsClientException>(() => Client().GetStreamAsync("s1"));

        Assert.Equal(200, (await Assert.ThrowsAsync<SharedSignalsClientException>(() => Client().PollAsync("ssf/poll/s1", new PollRequest()))).Status);
        Assert.IsType<System.Text.Json.JsonException>(refused.InnerException, exactMatch: false);
    }

    [Fact]
    public async Task Unreachable_NoStatusAndTheNetworkFailureInside()
    {
        var closed = $"http://127.0.0.1:{LoopbackServer.FreePort()}";
        var client = new SharedSignalsClient(Http, new SharedSignalsClientOptions { Issuer = closed });

        var failed = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.GetStatusAsync("s1"));

        Assert.Null(failed.Status);
        Assert.IsType<HttpRequestException>(failed.InnerException);
        Assert.StartsWith($"Could not read the stream's status: GET {closed}/ssf/status?stream_id=s1 failed: ", failed.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoAnswerInTime_SaysSo_ButTheCallersCancellationStaysACancellation()
    {
        Endpoint.Answer = _ =>
        {
            Thread.Sleep(1500);
            return new Answer(200, "{}");
        };
        var client = new SharedSignalsClient(Http, new SharedSignalsClientOptions { Issuer = Endpoint.Url, Timeout = TimeSpan.FromMilliseconds(200) });

        var late = await Assert.ThrowsAsync<SharedSignalsClientException>(() => client.GetStatusAsync("s1"));
        Assert.EndsWith("failed: no answer within 0.2 s", late.Message, StringComparison.Ordinal);

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var patient = new SharedSignalsClient(Http, new SharedSignalsClientOptions { Issuer = Endpoint.Url, Timeout = null });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => patient.GetStatusAsync("s1", cancel.Token));
    }

    private SharedSignalsClient Client() =>
        new(Http, new SharedSignalsClientOptions { Issuer = Endpoint.Url, AuthorizationHeader = "Bearer t" });
}
