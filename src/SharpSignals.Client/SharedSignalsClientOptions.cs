namespace SharpSignals.Client;

/// <summary>
/// Where the transmitter is and how to authenticate to it. Endpoints come from the transmitter's
/// discovered metadata (SSF 1.0 §7) once <see cref="SharedSignalsClient.DiscoverAsync"/> has run, and
/// otherwise from a SharpSignals server's paths under <see cref="Issuer"/>.
/// </summary>
public sealed class SharedSignalsClientOptions
{
    /// <summary>The configuration section <c>AddSharedSignalsClient</c> binds.</summary>
    public const string SectionName = "SharedSignalsClient";

    /// <summary>The transmitter's issuer URL; discovery checks the metadata names exactly this issuer.</summary>
    public string? Issuer { get; set; }

    /// <summary>A fixed <c>Authorization</c> header value sent as it is (SSF 1.0 §6.1.1), such as <c>Bearer ...</c>.</summary>
    public string? AuthorizationHeader { get; set; }

    /// <summary>The OAuth client for the client credentials grant (RFC 6749 §4.4).</summary>
    public string? ClientId { get; set; }

    /// <summary>The OAuth client's secret.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The scope asked for with the client credentials grant; none when null.</summary>
    public string? Scope { get; set; }

    /// <summary>The token endpoint; <c>/oauth/token</c> under the issuer when null.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>How the client's secret is sent to the token endpoint (RFC 6749 §2.3.1).</summary>
    public ClientAuthenticationMethod ClientAuthentication { get; set; } = ClientAuthenticationMethod.ClientSecretBasic;

    /// <summary>
    /// Supplies the <c>Authorization</c> header value instead of the members above, for an application
    /// that keeps its own credential; the argument asks for a fresh one after the transmitter answered 401.
    /// </summary>
    public Func<bool, CancellationToken, ValueTask<string?>>? Authorization { get; set; }

    /// <summary>How long one call may take (a long poll adds its wait); the HttpClient's own time-out alone when null.</summary>
    public TimeSpan? Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The issuer's base URL with a trailing slash, against which relative paths resolve.</summary>
    internal Uri? BaseAddress => Issuer is { Length: > 0 } issuer ? new Uri(issuer.TrimEnd('/') + "/") : null;
}

/// <summary>RFC 6749 §2.3.1: how a client authenticates to the token endpoint.</summary>
public enum ClientAuthenticationMethod
{
    /// <summary>HTTP Basic with the form-urlencoded client id and secret (<c>client_secret_basic</c>).</summary>
    ClientSecretBasic,

    /// <summary>The client id and secret in the request body (<c>client_secret_post</c>).</summary>
    ClientSecretPost,
}
