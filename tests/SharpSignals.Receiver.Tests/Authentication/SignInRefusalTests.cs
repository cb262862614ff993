using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Authentication;

/// <summary>
/// <c>RefuseSignInWhileStreamDown</c> in an application without cookie authentication: the paths in
/// <c>SignInPaths</c> are refused while the transmitter refuses the stream, every other path is served,
/// and without the option nothing is refused.
/// </summary>
public sealed class SignInRefusalTests
{
    [Theory]
    [InlineData(true, HttpStatusCode.ServiceUnavailable)]
    [InlineData(false, HttpStatusCode.OK)]
    public async Task SignInPath_StreamRefused_RefusedOnlyWithTheOption(bool refuse, HttpStatusCode expected)
    {
        var gatePort = ReceiverApp.FreePort();
        await using var server = LocalTransmitter.Start(TransmitterGate.IssuerSetting(gatePort));
        await using var gate = await TransmitterGate.StartAsync(gatePort, server.Issuer);
        gate.RefuseStreamCreationWith = 403;
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.StartAsync(
            state.Path,
            o =>
            {
                o.Issuer = gate.Url;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
                o.Delivery = ReceiverDeliveryMethod.Poll;
                o.RefuseSignInWhileStreamDown = refuse;
                o.SignInPaths = ["/signin-oidc"];
            },
            map: a =>
            {
                a.MapGet("/signin-oidc", () => TypedResults.Ok("signing in"));
                a.MapGet("/other", () => TypedResults.Ok("served"));
            });
        using var browser = new HttpClient { BaseAddress = new Uri(app.Url) };

        await Eventually.TrueAsync(() => app.Status.SetupRefused, "the refused stream creation");
        using var signIn = await browser.GetAsync("/signin-oidc");
        Assert.Equal(expected, signIn.StatusCode);
        Assert.Equal(refuse, (await signIn.Content.ReadAsStringAsync()).Contains("Sign-in is unavailable", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/other")).StatusCode);
    }
}
