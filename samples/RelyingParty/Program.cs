using Microsoft.AspNetCore.Authentication.Cookies;
using SharpSignals.Receiver;

namespace RelyingParty;

/// <summary>
/// A relying party with cookie sign-in that trusts a SharpSignals (or any SSF 1.0) transmitter:
/// a session-revoked or credential-change signs its user out on the next request, an
/// account-disabled locks the user out until account-enabled.
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
        builder.Services.AddSharedSignalsReceiver();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapAccountPages();
        app.MapSharedSignalsReceiver("/ssf/events");
        app.MapSubjectSecurityState("/ssf/security-state");
        return app;
    }
}
