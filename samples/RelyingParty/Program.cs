using Microsoft.AspNetCore.Authentication.Cookies;
using SharpSignals.Receiver;

namespace RelyingParty;

/// <summary>
/// A relying party with cookie sign-in that trusts a SharpSignals (or any SSF 1.0) transmitter:
/// a session-revoked or credential-change signs its user out on the next request, an
/// account-disabled locks the user out until account-enabled. While the stream is down, nobody can
/// sign in and <c>/healthz</c> says so.
/// </summary>
public sealed class Program
{
    private Program()
    {
    }

    public static void Main(string[] args) => Build(args).Run();

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.Cookie.Name = "rp.session";
            });
        builder.Services.AddAuthorization();

        // Options from the "SharedSignals" section of appsettings.json (or SharedSignals__X variables).
        // appsettings.json turns on RefuseSignInWhileStreamDown: /login answers 503 with a page saying
        // sign-in is unavailable until the stream is set up and verified.
        builder.Services.AddSharedSignalsReceiver();

        // /healthz answers 503 "Unhealthy" until then; the reason (the transmitter's refusal, an issuer
        // mismatch) is in the check's description and in the receiver's error log, not shown to visitors.
        builder.Services.AddHealthChecks().AddSharedSignalsReceiverCheck();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapAccountPages();
        app.MapSharedSignalsReceiver("/ssf/events");
        app.MapSubjectSecurityState("/ssf/security-state");
        app.MapHealthChecks("/healthz");
        return app;
    }
}
