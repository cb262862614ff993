using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Receiver.SecurityState;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;
using Xunit.Abstractions;

namespace SharpSignals.Receiver.Tests.Samples;

/// <summary>
/// The sample end to end, as a browser would see it: a real HTTP client with a cookie container
/// against the sample on Kestrel, events published to a real SharpSignals server that pushes them.
/// </summary>
public sealed class RelyingPartyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TemporaryDirectory _state = new();
    private SsfTestServer _server = null!;
    private RelyingPartyFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _server = LocalTransmitter.Start();
        _factory = new RelyingPartyFactory(_server.Issuer, LocalTransmitter.AdminHeader(_server), _state.Path, ReceiverApp.FreePort());
        _factory.UseKestrel(new Uri(_factory.Url).Port);
        _factory.StartServer();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _factory.Services.GetRequiredService<SharedSignalsReceiverStatus>().WaitVerifiedAsync(timeout.Token);
    }

    [Fact]
    public async Task SessionRevoked_NextRequestIsSignedOut()
    {
        using var browser = Browser(out var cookies);
        await LoginAsync(browser, "alice@example.com");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        var clock = Stopwatch.StartNew();
        await SsfTestServer.PublishAsync(_server.Admin, SsfTestServer.SessionRevoked("alice@example.com"));
        await Eventually.TrueAsync(() => State("alice@example.com")?.SessionsRevokedAt is not null, "the revocation to arrive");
        output.WriteLine($"published to handled: {clock.ElapsedMilliseconds} ms");

        using var next = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, next.StatusCode);
        Assert.StartsWith("/login", next.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        Assert.DoesNotContain(cookies.GetCookies(new Uri(_factory.Url)), c => c.Name == "rp.session");

        // A new sign-in after the revocation is a new session, and it works. A sign-in is timed in whole
        // seconds, and one in the revocation's second counts as before it: wait for the next second.
        var revokedAt = State("alice@example.com")!.SessionsRevokedAt!.Value;
        await Eventually.TrueAsync(() => DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()) > revokedAt, "a sign-in time after the revocation");
        await LoginAsync(browser, "alice@example.com");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task AccountDisabled_RejectedUntilAccountEnabled()
    {
        using var browser = Browser(out _);
        await LoginAsync(browser, "bob@example.com");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        await SsfTestServer.PublishAsync(_server.Admin, EventSamples.Publish(EventTypes.Risc.AccountDisabled, """{"reason":"hijacking"}""", "bob@example.com"));
        await Eventually.TrueAsync(() => State("bob@example.com")?.AccountDisabled == true, "the account to be disabled");
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/")).StatusCode);
        using (var login = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "bob@example.com" })))
        {
            Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        }

        await SsfTestServer.PublishAsync(_server.Admin, EventSamples.Publish(EventTypes.Risc.AccountEnabled, "{}", "bob@example.com"));
        await Eventually.TrueAsync(() => State("bob@example.com")?.AccountDisabled == false, "the account to be enabled");

        // The session was kept, not signed out: it works again.
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task SecurityStateEndpoint_RequiresSignInAndShowsTheSubject()
    {
        using var browser = Browser(out _);
        // An API endpoint: ASP.NET Core answers 401 rather than redirecting to the sign-in page.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/ssf/security-state?format=email&email=carol@example.com")).StatusCode);

        await LoginAsync(browser, "admin@example.com");
        await SsfTestServer.PublishAsync(_server.Admin, EventSamples.Publish(EventTypes.Caep.RiskLevelChange, """{"principal":"USER","current_level":"HIGH"}""", "carol@example.com"));
        await Eventually.TrueAsync(() => State("carol@example.com")?.RiskLevel == "HIGH", "the risk level");

        var body = await browser.GetStringAsync("/ssf/security-state?format=email&email=carol@example.com");
        Assert.Contains("\"risk_level\":\"HIGH\"", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/ssf/security-state?format=email&email=nobody@example.com")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync("/ssf/security-state?format=email")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _server.DisposeAsync();
        _state.Dispose();
    }

    private HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        return new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(_factory.Url) };
    }

    private static async Task LoginAsync(HttpClient browser, string email)
    {
        using var response = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = email }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    private SubjectSecurityState? State(string email) =>
        _factory.Services.GetRequiredService<SubjectSecurityStates>().Get(new EmailSubject(email));
}
