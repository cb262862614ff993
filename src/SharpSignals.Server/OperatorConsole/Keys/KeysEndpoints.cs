using System.Globalization;
using SharpSignals.Server.Auth;
using SharpSignals.Server.Keys;
using SharpSignals.Server.OperatorConsole.Shell;
using SharpSignals.Storage.Clients;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.OperatorConsole.Keys;

/// <summary>
/// Keys, clients and initial access tokens (<c>GET /console/keys</c>): the issuer's JWKS with which
/// key signs now and which next, rotation (operators who see every project only); creating an
/// initial access token, shown once in the answer to the form; and the clients, a page at a time,
/// with revocation. Each change goes through the same shared methods as the admin API
/// (<see cref="PublishedKeys"/>, <see cref="ClientAdministration"/>).
/// </summary>
internal static class KeysEndpoints
{
    public const int PageSize = 50;

    public const string Path = ConsoleSession.BasePath + "/keys";

    /// <summary>The longest lifetime the form offers, in hours: the API's ten years.</summary>
    public static readonly int MaxIatHours = (int)ClientAdministration.MaxIatLifetime.TotalHours;

    public static RouteGroupBuilder MapConsoleKeys(this RouteGroupBuilder console)
    {
        console.MapGet("/keys", ShowAsync);
        console.MapPost("/keys/rotate", RotateAsync);
        console.MapPost("/keys/iat", CreateIatAsync);
        console.MapPost("/keys/clients/{clientId}/revoke", RevokeAsync);
        return console;
    }

    private static Task<IResult> ShowAsync(HttpContext http, IssuerKeyStore keys, IClientStore clients, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        return RenderAsync(http, page, ClientFilter.From(http.Request.Query, page.SignedIn), keys, clients, new KeysPageState(), cancellationToken);
    }

    /// <summary>
    /// Rotates as <c>POST /admin/keys/rotate</c> does; "now" (a compromised key) is asked to be
    /// confirmed first, since the current key then stops signing at once.
    /// </summary>
    private static async Task<IResult> RotateAsync(HttpContext http, IssuerKeyStore keys, IClientStore clients, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        if (!page.SignedIn.SeesEveryProject)
        {
            return ConsoleResults.Error(http, StatusCodes.Status403Forbidden, "Not allowed", "Only an operator who sees every project may rotate the issuer's keys.");
        }

        var form = await http.Request.ReadFormAsync(cancellationToken);
        var algorithm = form["algorithm"].FirstOrDefault();
        var now = form["now"].FirstOrDefault() is "true";
        if (now && form["confirm"].FirstOrDefault() is not "true")
        {
            return await RenderAsync(http, page, ClientFilter.FirstPage(page.SignedIn), keys, clients, new KeysPageState { ConfirmRotationNow = algorithm ?? keys.Ring.Active.Algorithm }, cancellationToken);
        }

        if (await keys.RotateToAsync(algorithm, now, cancellationToken) is not { } key)
        {
            return await RenderAsync(http, page, ClientFilter.FirstPage(page.SignedIn), keys, clients,
                new KeysPageState { RotationError = $"The algorithm must be one of {string.Join(", ", SigningAlgorithms.Signing)}; no key was made." },
                cancellationToken, StatusCodes.Status400BadRequest);
        }

        return ConsoleNotice.RedirectWith(http, Path, now
            ? $"Rotated now: key {key.KeyId} ({key.Algorithm}) signs from now on."
            : $"Rotated: key {key.KeyId} ({key.Algorithm}) is published and signs from {Time.Utc(key.SignsFrom!.Value)}.");
    }

    /// <summary>
    /// Creates an initial access token as <c>POST /iat</c> does and shows it in this answer only: never
    /// in a URL, a cookie or the notice, and never cached (the guard sends <c>Cache-Control: no-store</c>).
    /// </summary>
    private static async Task<IResult> CreateIatAsync(HttpContext http, IssuerKeyStore keys, IClientStore clients, TimeProvider time, CancellationToken cancellationToken)
    {
        var page = ConsolePage.For(http);
        var form = await http.Request.ReadFormAsync(cancellationToken);
        var project = page.SignedIn.Scope(form["project"].FirstOrDefault()?.Trim()) ?? CallerClaims.DefaultProject;
        var singleUse = form["single_use"].FirstOrDefault() is "true";
        if (!int.TryParse(form["hours"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !ClientAdministration.IsValidIat(project, hours * 3600L))
        {
            return await RenderAsync(http, page, ClientFilter.FirstPage(page.SignedIn), keys, clients,
                new KeysPageState { IatError = $"Give a project of letters, digits, '-', '_' or '.' (at most 64) and a lifetime of 1 to {MaxIatHours} hours; no token was made." },
                cancellationToken, StatusCodes.Status400BadRequest);
        }

        var (token, iat) = await ClientAdministration.CreateIatAsync(clients, time, project, hours * 3600L, singleUse, cancellationToken);
        return await RenderAsync(http, page, new ClientFilter(project, null, 0), keys, clients,
            new KeysPageState { NewIat = new NewIat(token, iat.Project, iat.ExpiresAt, iat.SingleUse) }, cancellationToken);
    }

    /// <summary>Revokes a client as <c>DELETE /admin/clients/{id}</c> does; another project's client is not found.</summary>
    private static async Task<IResult> RevokeAsync(string clientId, HttpContext http, IClientStore clients, AccessTokenCache accessTokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var viewer = ConsolePage.For(http).SignedIn;
        if (await clients.GetClientAsync(clientId, cancellationToken) is not { } client || !viewer.MaySee(client.Project))
        {
            return ConsoleResults.NotFound(http, "such client");
        }

        var name = client.Name.Length > 0 ? $"{client.Name} ({client.ClientId})" : client.ClientId;
        return ConsoleNotice.RedirectWith(http, Path, await ClientAdministration.RevokeClientAsync(clients, accessTokens, time, clientId, cancellationToken)
            ? $"Revoked client {name}: its access tokens are refused from now on."
            : $"Client {name} was revoked already.");
    }

    private static async Task<IResult> RenderAsync(
        HttpContext http, ConsolePage page, ClientFilter filter, IssuerKeyStore keys, IClientStore clients, KeysPageState state, CancellationToken cancellationToken, int status = StatusCodes.Status200OK)
    {
        // Whatever the filter says, a project-scoped viewer sees their own project's clients only.
        filter = filter with { Project = page.SignedIn.Scope(filter.Project) };

        // One store read: clients are few next to events, and the store lists them by project.
        var matching = (await clients.ListClientsAsync(filter.Project, cancellationToken)).Where(filter.Matches).ToList();
        var rows = matching
            .OrderByDescending(c => c.CreatedAt)
            .ThenBy(c => c.ClientId, StringComparer.Ordinal)
            .Skip(filter.PageIndex * PageSize)
            .Take(PageSize)
            .Select(c => new ClientRow(c.ClientId, c.Name, c.Project, c.Scope, c.CreatedAt, c.RevokedAt))
            .ToList();
        return ConsoleResults.Page<KeysPage>(
            new
            {
                Page = page,
                IssuerKeys = keys.Published().Select(k => new KeyRow(k.KeyId, k.Algorithm, k.State, k.SignsFrom, k.RetiredAt)).ToList(),
                ActiveAlgorithm = keys.Ring.Active.Algorithm,
                Algorithms = SigningAlgorithms.Signing,
                Filter = filter,
                Clients = rows,
                Total = matching.Count,
                State = state,
            },
            status);
    }
}

/// <summary>The client list's filters, from its query string; a project-scoped viewer's project always applies.</summary>
public sealed record ClientFilter(string? Project, string? State, int PageIndex)
{
    /// <summary>The first page of every client the viewer may see.</summary>
    internal static ClientFilter FirstPage(ConsoleViewer viewer) => new(viewer.Project, null, 0);

    internal static ClientFilter From(IQueryCollection query, ConsoleViewer viewer) => new(
        viewer.Scope(query["project"].FirstOrDefault()?.Trim()),
        query["state"].FirstOrDefault() is "active" or "revoked" ? query["state"].FirstOrDefault() : null,
        int.TryParse(query["page"].FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is > 0 and < 1_000_000 ? index - 1 : 0);

    internal bool Matches(ClientRecord client) =>
        (Project is null || client.Project == Project)
        && (State is null || (State == "revoked") == (client.RevokedAt is not null));

    /// <summary>The page's URL with these filters on page <paramref name="index"/> (from 0).</summary>
    public string Url(int index) =>
        KeysEndpoints.Path
        + QueryString.Create(new KeyValuePair<string, string?>[]
        {
            new("project", Project),
            new("state", State),
            new("page", index > 0 ? (index + 1).ToString(CultureInfo.InvariantCulture) : null),
        }.Where(p => p.Value is not null))
        + "#clients";
}

/// <summary>One key of the issuer's JWKS.</summary>
public sealed record KeyRow(string KeyId, string Algorithm, string State, DateTimeOffset? SignsFrom, DateTimeOffset? RetiredAt);

/// <summary>One client.</summary>
public sealed record ClientRow(string ClientId, string Name, string Project, string Scope, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>An initial access token just made, shown in the answer to the form that made it and nowhere else.</summary>
public sealed record NewIat(string Token, string Project, DateTimeOffset ExpiresAt, bool SingleUse);

/// <summary>What the answer to a form adds to the page.</summary>
public sealed record KeysPageState
{
    public NewIat? NewIat { get; init; }

    public string? IatError { get; init; }

    public string? RotationError { get; init; }

    /// <summary>Set when "now" was asked without confirming: the algorithm to confirm a rotation now with.</summary>
    public string? ConfirmRotationNow { get; init; }
}
