using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Receiver.Streams;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Samples;

/// <summary>
/// The sample with its <c>RefuseSignInWhileStreamDown</c> on: while its transmitter refuses the stream,
/// the sign-in page and form answer 503 with a page saying sign-in is unavailable and <c>/healthz</c> is
/// unhealthy; once the transmitter is fixed and the verification came back, both work.
/// </summary>
public sealed class SignInWhileStreamDownTests
{
    [Fact]
    public async Task SignIn_TransmitterRefusesStream_RefusedWithPageUntilFixedAndVerified()
    {
        var gatePort = ReceiverApp.FreePort();
        await using var server = LocalTransmitter.Start(TransmitterGate.IssuerSetting(gatePort));
        await using var gate = await TransmitterGate.StartAsync(gatePort, server.Issuer);
        gate.RefuseStreamCreationWith = 403;
        using var state = new TemporaryDirectory();
        await using var factory = new RelyingPartyFactory(gate.Url, LocalTransmitter.AdminHeader(server), state.Path, ReceiverApp.FreePort(), new Dictionary<string, string?>
        {
            ["SharedSignals:MaxRefusedRetryDelaySeconds"] = "1",
        });
        factory.UseKestrel(new Uri(factory.Url).Port);
        factory.StartServer();
        var status = factory.Services.GetRequiredService<SharedSignalsReceiverStatus>();
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(factory.Url) };

        await Eventually.TrueAsync(() => status.SetupRefused, "the refused stream creation");
        using (var page = await browser.GetAsync("/login"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(page.Headers.RetryAfter);
            Assert.Contains("Sign-in is unavailable", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var login = await browser.PostAsync("/login", Form("alice@example.com")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
            Assert.Contains("Sign-in is unavailable", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Empty(cookies.GetCookies(new Uri(factory.Url)));
        using (var health = await browser.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        }

        Assert.Contains("HTTP 403", status.Description, StringComparison.Ordinal);

        gate.RefuseStreamCreationWith = null;
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
        {
            await status.WaitVerifiedAsync(timeout.Token);
        }

        Assert.Equal("Healthy", await browser.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/login")).StatusCode);
        using (var login = await browser.PostAsync("/login", Form("alice@example.com")))
        {
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);
    }

    private static FormUrlEncodedContent Form(string email) => new(new Dictionary<string, string> { ["email"] = email });
}
