using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using SharpSignals.Server.Http;
using SharpSignals.Server.OperatorConsole.DeadLetters;
using SharpSignals.Server.OperatorConsole.Events;
using SharpSignals.Server.OperatorConsole.Keys;
using SharpSignals.Server.OperatorConsole.Overview;
using SharpSignals.Server.OperatorConsole.Realtime;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Server.OperatorConsole.SignIn;
using SharpSignals.Server.OperatorConsole.Streams;
using SharpSignals.Server.OperatorConsole.Tenants;

namespace SharpSignals.Server.OperatorConsole;

/// <summary>
/// The operator console (docs/OPERATIONS.md, "Operator console"): pages rendered on the server from
/// Razor components by thin endpoints under <c>/console</c>, behind a cookie session of their own,
/// with anti-forgery on every change. It reads and changes the server through the same services
/// the admin API uses.
/// </summary>
internal static class ConsoleServices
{
    public static IServiceCollection AddConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRazorComponents();
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.HeaderName = ConsoleGuard.HeaderName;
            antiforgery.FormFieldName = ConsoleGuard.FormField;
            antiforgery.Cookie.Name = "sharpsignals.csrf";
            antiforgery.Cookie.Path = ConsoleSession.BasePath;
            // Antiforgery refuses to run on plain HTTP with Always; the session cookie, which is what
            // an attacker would want, stays Secure everywhere (ConsoleSession).
            antiforgery.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.Cookie.HttpOnly = true;
            antiforgery.SuppressXFrameOptionsHeader = true;
        });
        services.AddAuthentication().AddCookie(ConsoleSession.Scheme).AddOpenIdConnect(ConsoleOpenIdConnect.Scheme, _ => { });
        services.AddSingleton<IConfigureOptions<OpenIdConnectOptions>, ConsoleOpenIdConnect>();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOpenIdConnectValidator>();
        services.AddOptions<CookieAuthenticationOptions>(ConsoleSession.Scheme)
            .Configure<IOptions<ConsoleOptions>>((cookie, options) => ConsoleSession.Configure(cookie, options.Value));
        services.AddAuthorizationBuilder()
            .AddPolicy(ConsoleSession.Policy, policy => policy.AddAuthenticationSchemes(ConsoleSession.Scheme).RequireAuthenticatedUser());
        services.AddConsoleOverview();
        return services;
    }

    /// <summary>The console's pages, unless <c>SharpSignals:Console:Enabled</c> is false.</summary>
    public static IEndpointRouteBuilder MapConsole(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<ConsoleOptions>>().Value;
        ConsoleOpenIdConnect.DropUnlessEnabled(app.ServiceProvider, options);
        if (!options.Enabled)
        {
            return app;
        }

        var console = app.MapGroup(ConsoleSession.BasePath)
            .RequireAuthorization(ConsoleSession.Policy)
            .AddEndpointFilter<ConsoleGuard>()
            .ExcludeFromDescription()
            .OnlyOnLocalPort(options.Port);
        console.MapGet("/assets/{name}", (string name, HttpContext http) => ConsoleAssets.Serve(name, http)).AllowAnonymous();
        console.MapConsoleSignIn();
        console.MapConsoleOverview();
        console.MapConsoleEvents();
        console.MapConsoleDeadLetters();
        console.MapConsoleKeys();
        console.MapConsoleRealtime();
        console.MapConsoleStream();
        console.MapConsoleTenants();
        return app;
    }
}
