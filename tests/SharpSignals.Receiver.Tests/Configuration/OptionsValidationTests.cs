using Microsoft.Extensions.Options;
using SharpSignals.Receiver.Configuration;
using SharpSignals.Receiver.Tests.Support;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Configuration;

/// <summary>The options are checked when the application starts, and every mistake is reported at once.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public async Task Start_BadOptions_FailsNamingEveryProblem()
    {
        using var state = new TemporaryDirectory();
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => ReceiverApp.StartAsync(state.Path, o =>
        {
            o.Issuer = "http://tx.example.com?tenant=1";
            o.AllowInsecureHttp = false;
            o.AuthorizationHeader = "Bearer x";
            o.ClientId = "rp";
            o.Delivery = ReceiverDeliveryMethod.Push;
            o.PushEndpointUrl = null;
            o.Events = ["session-revoked", "no-such-event"];
            o.Subjects = [new SubjectClaimMapping { Format = "iss_sub", Claim = "sub" }];
            o.SignInPaths = ["/signin-oidc", "signin"];
        }));

        var message = string.Join("\n", failure.Failures);
        Assert.Contains("Issuer 'http://tx.example.com?tenant=1' must use https", message, StringComparison.Ordinal);
        Assert.Contains("must not have a query or fragment", message, StringComparison.Ordinal);
        Assert.Contains("either AuthorizationHeader or ClientId", message, StringComparison.Ordinal);
        Assert.Contains("ClientId and ClientSecret go together", message, StringComparison.Ordinal);
        Assert.Contains("PushEndpointUrl is required", message, StringComparison.Ordinal);
        Assert.Contains("'no-such-event'", message, StringComparison.Ordinal);
        Assert.Contains("Subjects[0].Issuer is required", message, StringComparison.Ordinal);
        Assert.Contains("SignInPaths[1] 'signin' must be a path starting with '/'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("session-revoked", message, StringComparison.Ordinal);
        Assert.DoesNotContain("/signin-oidc", message, StringComparison.Ordinal);
    }
}
