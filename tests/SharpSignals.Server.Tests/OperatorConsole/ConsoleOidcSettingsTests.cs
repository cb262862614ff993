using Microsoft.Extensions.Options;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Configuration;
using SharpSignals.Server.OperatorConsole;
using SharpSignals.Server.OperatorConsole.SignIn;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.OperatorConsole;

/// <summary>The console's OpenID Connect settings (docs/CONFIGURATION.md, "Operator console"), checked at start.</summary>
public sealed class ConsoleOidcSettingsTests
{
    private static readonly IdentityProviderOptions Mapping = new() { AdminClaim = "roles", AdminValue = "signals-admin", ProjectsClaim = "projects" };

    [Theory]
    [InlineData("https://127.0.0.1:9443/realms/ops")]
    [InlineData("http://127.0.0.1:9")]
    [InlineData("http://localhost:9")]
    [InlineData("http://[::1]:9")]
    public void Authority_OverHttpsOrOnThisMachine_IsAccepted(string authority) =>
        Assert.True(Validate(Settings(authority)).Succeeded);

    [Fact]
    public void NoAuthority_IsOff_AndNeedsNothingElse() =>
        Assert.True(Validate(new ConsoleOpenIdConnectOptions(), new IdentityProviderOptions()).Succeeded);

    [Theory]
    [InlineData("ftp://127.0.0.1/", null, null, "Authority 'ftp://127.0.0.1/' must be an absolute https URL")]
    [InlineData("not a url", null, null, "must be an absolute https URL")]
    [InlineData(null, "", null, "ClientId is required")]
    [InlineData(null, null, "", "ClientSecret is required")]
    public void Mistakes_StopTheServerWithAMessage(string? authority, string? clientId, string? clientSecret, string message)
    {
        var settings = Settings(authority ?? "http://127.0.0.1:9") with
        {
            ClientId = clientId ?? "console",
            ClientSecret = clientSecret ?? "secret",
        };

        var result = Validate(settings);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Scopes_WithoutOpenid_AreRefused() =>
        Assert.Contains("Scopes must include openid", Validate(Settings("http://127.0.0.1:9") with { Scopes = "profile email" }).FailureMessage, StringComparison.Ordinal);

    [Fact]
    public void WithoutTheIdentityProviderClaimMapping_NobodyCouldSignIn_SoItIsRefused()
    {
        var result = Validate(Settings("http://127.0.0.1:9"), new IdentityProviderOptions());

        Assert.Contains("SharpSignals:IdentityProvider:AdminClaim and AdminValue, SharpSignals:IdentityProvider:ProjectsClaim, or both", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutOpenIdConnect_TheSignInPageOffersOnlyTheToken()
    {
        await using var server = new SsfTestServer();
        using var client = server.Factory.CreateClient();

        var page = await client.GetStringAsync(new Uri("/console/signin", UriKind.Relative));

        Assert.Contains("Admin token", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign in with", page, StringComparison.Ordinal);
    }

    private static ConsoleOpenIdConnectOptions Settings(string authority) =>
        new() { Authority = authority, ClientId = "console", ClientSecret = "secret" };

    private static ValidateOptionsResult Validate(ConsoleOpenIdConnectOptions settings, IdentityProviderOptions? mapping = null) =>
        new ConsoleOpenIdConnectValidator(Options.Create(new ServerOptions()), Options.Create(mapping ?? Mapping))
            .Validate(null, new ConsoleOptions { OpenIdConnect = settings });
}
