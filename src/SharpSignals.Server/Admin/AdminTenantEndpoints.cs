using System.Security.Claims;
using System.Text.Json.Serialization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Http;

namespace SharpSignals.Server.Admin;

/// <summary>
/// <c>/admin/tenants</c> (docs/API.md, "Tenants"): the server's admin creates, lists and deletes tenants and
/// replaces their admin tokens. Served at the root only; a tenant's admin token gets 403.
/// </summary>
internal static class AdminTenantEndpoints
{
    public static IEndpointRouteBuilder MapAdminTenants(this IEndpointRouteBuilder app)
    {
        var tenants = app.MapGroup("/admin/tenants").RequireAuthorization(Scopes.Admin).AddEndpointFilter(ServerAdminOnly);
        tenants.MapGet("/", List).Produces<TenantResponse[]>();
        tenants.MapPost("/", Create).Reads<TenantCreation>().Produces<TenantResponse>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict);
        tenants.MapDelete("/{name}", Delete).Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        tenants.MapPost("/{name}/admin-token", ReplaceAdminToken).Produces<TenantResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static ValueTask<object?> ServerAdminOnly(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.Tenant().Length == 0
            ? next(context)
            : ValueTask.FromResult<object?>(Problems.Forbidden("Only the server's admin token manages tenants."));

    private static IResult List(TenantAdministration administration) =>
        TypedResults.Json(administration.List().Select(t => TenantResponse.From(t, null)).ToArray(), AdminTenantJsonContext.Default.TenantResponseArray);

    private static async Task<IResult> Create(HttpRequest request, TenantAdministration administration, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadObjectAsync(request, cancellationToken);
        if (body.Problem is { } problem)
        {
            return problem;
        }

        var name = body.String("name");
        if (body.Errors.Count > 0)
        {
            return Problems.BadRequest(string.Join("; ", body.Errors), body.Errors);
        }

        var (tenant, token, refusal) = await administration.CreateAsync(name, cancellationToken);
        return tenant is not null
            ? TypedResults.Json(TenantResponse.From(tenant, token), AdminTenantJsonContext.Default.TenantResponse, statusCode: StatusCodes.Status201Created)
            : refusal!.ToProblem();
    }

    private static async Task<IResult> Delete(string name, TenantAdministration administration, CancellationToken cancellationToken) =>
        await administration.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : Problems.NotFound($"There is no tenant '{name}'.");

    private static async Task<IResult> ReplaceAdminToken(string name, ClaimsPrincipal caller, TenantAdministration administration, CancellationToken cancellationToken) =>
        await administration.ReplaceAdminTokenAsync(name, cancellationToken) is { } token
            && administration.List().FirstOrDefault(t => t.Name == name) is { } tenant
            ? TypedResults.Json(TenantResponse.From(tenant, token), AdminTenantJsonContext.Default.TenantResponse)
            : Problems.NotFound($"There is no tenant '{name}'.");
}

/// <summary>The body of <c>POST /admin/tenants</c>.</summary>
internal sealed record TenantCreation([property: JsonPropertyName("name")] string Name);

/// <summary>A tenant as the admin API shows it; <c>admin_token</c> only when it was just made.</summary>
internal sealed record TenantResponse(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("issuer")] string Issuer,
    [property: JsonPropertyName("configuration_url")] string ConfigurationUrl,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("admin_token"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AdminToken)
{
    public static TenantResponse From(TenantView tenant, string? adminToken) =>
        new(tenant.Name, tenant.Issuer, tenant.DiscoveryUrl, tenant.CreatedAt.ToUnixTimeSeconds(), adminToken);
}

[JsonSerializable(typeof(TenantResponse))]
[JsonSerializable(typeof(TenantResponse[]))]
[JsonSerializable(typeof(TenantCreation))]
internal sealed partial class AdminTenantJsonContext : JsonSerializerContext;
