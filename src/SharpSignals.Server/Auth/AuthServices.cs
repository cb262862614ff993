using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Auth;

internal static class AuthServices
{
    public static IServiceCollection AddServerAuth(this IServiceCollection services)
    {
        services.AddSingleton<AdminToken>();
        services.AddSingleton<AccessTokenCache>();
        services.AddSingleton<StreamCredentials>();
        services.AddSingleton<CallerStreams>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminToken>());
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddJwtBearer(IdentityProviderBearer.SchemeName);

        // Tokens from the organisation's identity provider, when one is set, go to JwtBearer behind the same policies.
        services.AddOptions<IdentityProviderOptions>().BindConfiguration(IdentityProviderOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdentityProviderOptions>, IdentityProviderOptionsValidator>();
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, IdentityProviderBearer>();
        services.AddOptions<AuthenticationSchemeOptions>(BearerTokenHandler.SchemeName).Configure<IOptions<IdentityProviderOptions>>((bearer, provider) =>
        {
            if (provider.Value.Enabled)
            {
                bearer.ForwardDefaultSelector = IdentityProviderBearer.Select;
            }
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ScopeForbiddenHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Scopes.Admin, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(Scopes.Admin)))
            .AddPolicy(Scopes.Manage, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(Scopes.Manage)))
            .AddPolicy(Scopes.Read, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(Scopes.Read)))
            .AddPolicy(Scopes.Publish, p => p.RequireAuthenticatedUser().AddRequirements(new ScopeRequirement(Scopes.Publish)));
        services.AddSingleton<IAuthorizationHandler, ScopeAuthorizationHandler>();
        return services;
    }
}
