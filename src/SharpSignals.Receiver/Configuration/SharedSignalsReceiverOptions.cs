using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Receiver.Configuration;

/// <summary>
/// What the receiver joins and how: bound from the <c>SharedSignals</c> configuration section by
/// default and checked when the application starts.
/// </summary>
public sealed class SharedSignalsReceiverOptions
{
    /// <summary>The configuration section the options are bound from by default.</summary>
    public const string SectionName = "SharedSignals";

    /// <summary>The transmitter's issuer; its metadata is read from <c>/.well-known/ssf-configuration</c> under it (SSF 1.0 §7.2).</summary>
    [Required]
    public string Issuer { get; set; } = "";

    /// <summary>A fixed credential for the transmitter's management and poll endpoints, sent as the Authorization header (for example <c>Bearer ...</c>).</summary>
    public string? AuthorizationHeader { get; set; }

    /// <summary>The OAuth client this receiver authenticates as (client credentials grant, RFC 6749 §4.4), instead of <see cref="AuthorizationHeader"/>.</summary>
    public string? ClientId { get; set; }

    /// <summary>The secret of <see cref="ClientId"/>.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The token endpoint for <see cref="ClientId"/>; by default <c>{Issuer}/oauth/token</c>.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>The scopes asked for with client credentials (SSF 1.0 §9: <c>ssf.manage</c> and <c>ssf.read</c>).</summary>
    public string Scope { get; set; } = "ssf.manage ssf.read";

    /// <summary>Push (the transmitter calls <see cref="PushEndpointUrl"/>) or poll (this application calls the transmitter).</summary>
    public ReceiverDeliveryMethod Delivery { get; set; } = ReceiverDeliveryMethod.Push;

    /// <summary>For push: the absolute URL at which the transmitter reaches the endpoint mapped with <c>MapSharedSignalsReceiver</c>.</summary>
    public string? PushEndpointUrl { get; set; }

    /// <summary>
    /// The event types to ask for, as URIs or short names (<c>session-revoked</c>, <c>account-disabled</c>).
    /// Empty asks for every CAEP and RISC type this library understands.
    /// </summary>
    public IList<string> Events { get; set; } = [];

    /// <summary>
    /// The audience this application expects in the stream's <c>aud</c> and in every SET; empty takes the
    /// <c>aud</c> the transmitter assigned to the stream.
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>The stream's <c>description</c> (SSF 1.0 §8.1.1).</summary>
    public string? Description { get; set; }

    /// <summary>Where the file state store keeps the stream, handled <c>jti</c> values and subject states; relative paths are under the content root.</summary>
    public string StateDirectory { get; set; } = "ssf-receiver";

    /// <summary>
    /// Whether the file state store forces the stream and subject states to disk (fsync) before a write
    /// counts as done. Without it a write survives a crash of the application but not of the machine.
    /// Handled <c>jti</c> records are never forced: losing one only lets a resent SET be handled again.
    /// </summary>
    public bool SyncWrites { get; set; } = true;

    /// <summary>How many handled <c>jti</c> values are remembered for deduplication.</summary>
    [Range(1000, 10_000_000)]
    public int RememberedJtis { get; set; } = 100_000;

    /// <summary>
    /// How old a SET may be, by its <c>iat</c>, in seconds; older ones are refused with
    /// <c>invalid_request</c>, so that a captured SET cannot be replayed once its <c>jti</c> has dropped out
    /// of <see cref="RememberedJtis"/>. Default 7 days.
    /// </summary>
    [Range(60, 3650 * 86400)]
    public int MaxSetAgeSeconds { get; set; } = 7 * 86400;

    /// <summary>How long a long poll may wait for SETs at the transmitter, in seconds (RFC 8936 §2.1).</summary>
    [Range(1, 600)]
    public int PollWaitSeconds { get; set; } = 30;

    /// <summary>The most SETs asked for in one poll (<c>maxEvents</c>).</summary>
    [Range(1, 10_000)]
    public int PollMaxEvents { get; set; } = 100;

    /// <summary>The longest wait between retries after a failure (transmitter unreachable, a handler failing), in seconds.</summary>
    [Range(1, 3600)]
    public int MaxRetryDelaySeconds { get; set; } = 60;

    /// <summary>
    /// The longest wait between attempts to set up the stream after the transmitter refused (a 4xx other than
    /// 408 and 429, or metadata or a stream this receiver cannot use), in seconds. Such failures are logged as
    /// errors and retried from 5 s, doubling, up to this.
    /// </summary>
    [Range(1, 86400)]
    public int MaxRefusedRetryDelaySeconds { get; set; } = 600;

    /// <summary>
    /// Whether sign-in pages answer 503 with a page saying sign-in is unavailable while the stream is not set
    /// up and verified (see <see cref="Streams.SharedSignalsReceiverStatus.IsUp"/>), so that no session begins
    /// that a revocation could not reach. The pages are the <c>LoginPath</c> of every cookie scheme and
    /// <see cref="SignInPaths"/>. Sessions that already exist are not affected.
    /// </summary>
    public bool RefuseSignInWhileStreamDown { get; set; }

    /// <summary>More paths refused by <see cref="RefuseSignInWhileStreamDown"/>, such as a remote sign-in's start or callback (<c>/signin-oidc</c>).</summary>
    public IList<string> SignInPaths { get; set; } = [];

    /// <summary>Whether the transmitter is asked for a verification event once the stream is ready (SSF 1.0 §8.1.4).</summary>
    public bool VerifyOnStart { get; set; } = true;

    /// <summary>Whether <c>http://</c> transmitters and push URLs are accepted; for development only.</summary>
    public bool AllowInsecureHttp { get; set; }

    /// <summary>
    /// How the application's users are matched to subject identifiers, one entry per identifier kind.
    /// Empty maps the <c>email</c> claim (or <see cref="ClaimTypes.Email"/>) to an <c>email</c> subject.
    /// </summary>
    public IList<SubjectClaimMapping> Subjects { get; set; } = [];

    /// <summary>A mapping in code, used in addition to <see cref="Subjects"/>: the identifiers under which events about the user arrive.</summary>
    public Func<ClaimsPrincipal, IEnumerable<SubjectIdentifier>>? MapSubjects { get; set; }
}
