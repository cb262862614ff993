using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.Tests.SecurityState;

/// <summary>
/// Response actions on a scheme other than cookies (a bearer-style token, as JwtBearer would give):
/// a disabled account's tokens stop working until it is enabled; a token issued before a session
/// revocation of its user (by <c>iat</c>) stops working; the user is matched by an <c>iss_sub</c> mapping.
/// </summary>
public sealed class TokenSchemeTests
{
    private const string IdentityProvider = "https://idp.example.com";

    [Fact]
    public async Task TokenScheme_DisabledAccountRefusedUntilEnabled_RevokedTokensRefused()
    {
        await using var server = LocalTransmitter.Start();
        using var state = new TemporaryDirectory();
        await using var app = await ReceiverApp.StartAsync(
            state.Path,
            o =>
            {
                o.Issuer = server.Issuer;
                o.AuthorizationHeader = LocalTransmitter.AdminHeader(server);
                o.Delivery = ReceiverDeliveryMethod.Poll;
                o.Events = ["session-revoked", "account-disabled", "account-enabled"];
                o.Subjects = [new SubjectClaimMapping { Format = SubjectFormats.IssuerSubject, Claim = "sub", Issuer = IdentityProvider }];
            },
            build: b => b.Services.AddAuthorization().AddAuthentication("Token").AddScheme<AuthenticationSchemeOptions, TestTokenHandler>("Token", null),
            map: a =>
            {
                a.UseAuthentication();
                a.UseAuthorization();
                a.MapGet("/api", () => "ok").RequireAuthorization();
            });
        await app.WaitVerifiedAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Url) };
        var issuedBefore = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeSeconds();
        var subject = $$"""{"format":"iss_sub","iss":"{{IdentityProvider}}","sub":"user-42"}""";

        Assert.Equal(HttpStatusCode.OK, await CallAsync(client, "user-42", issuedBefore));

        await SsfTestServer.PublishAsync(server.Admin, Body(EventTypes.Risc.AccountDisabled, subject));
        await Eventually.TrueAsync(() => app.States.Get(new IssSubSubject(IdentityProvider, "user-42"))?.AccountDisabled == true, "the account to be disabled");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(client, "user-42", issuedBefore));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(client, "someone-else", issuedBefore));

        await SsfTestServer.PublishAsync(server.Admin, Body(EventTypes.Risc.AccountEnabled, subject));
        await Eventually.TrueAsync(() => app.States.Get(new IssSubSubject(IdentityProvider, "user-42"))?.AccountDisabled == false, "the account to be enabled");
        Assert.Equal(HttpStatusCode.OK, await CallAsync(client, "user-42", issuedBefore));

        // A complex subject naming the user: its sessions are revoked; tokens issued before that stop working.
        var complex = "{\"format\":\"complex\",\"user\":" + subject + ",\"device\":{\"format\":\"opaque\",\"id\":\"laptop-7\"}}";
        await SsfTestServer.PublishAsync(server.Admin, Body(EventTypes.Caep.SessionRevoked, complex));
        await Eventually.TrueAsync(() => app.States.Get(new IssSubSubject(IdentityProvider, "user-42"))?.SessionsRevokedAt is not null, "the revocation");
        Assert.Equal(HttpStatusCode.Unauthorized, await CallAsync(client, "user-42", issuedBefore));
        Assert.Equal(HttpStatusCode.OK, await CallAsync(client, "user-42", DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds()));
    }

    private static string Body(string eventType, string subjectJson) =>
        "{\"events\":{\"" + eventType + "\":{}},\"sub_id\":" + subjectJson + "}";

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string sub, long iat)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api");
        request.Headers.Authorization = new AuthenticationHeaderValue("Token", $"{sub}:{iat}");
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    /// <summary>Takes <c>Authorization: Token sub:iat</c> at its word: the claims a validated bearer token would carry.</summary>
    private sealed class TestTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Token ", StringComparison.Ordinal) || header[6..].Split(':') is not [var sub, var iat])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim("sub", sub), new Claim("iat", iat)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
