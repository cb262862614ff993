using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Tokens.Validation;

/// <summary>
/// Validates received SETs fail-closed, in the order RFC 8935 §2 lists: parse, authenticity (typ,
/// algorithm allow-list, key, signature), claims (no <c>sub</c> or <c>exp</c>, events), issuer,
/// audience, and whether this transmitter may send this event. Never throws for bad input: every
/// failure is a result carrying its RFC 8935 error code. Thread-safe; keep one per stream.
/// </summary>
/// <param name="options">What the receiver accepts.</param>
public sealed partial class SetValidator(SetValidationOptions options)
{
    private static readonly TryReadJwtClaim SkipStructuredClaims = SkipStructuredClaim;

    private readonly SetValidationOptions _options = Checked(options);

    /// <summary>Validates one SET.</summary>
    /// <param name="token">The compact JWS, or a JWE holding one.</param>
    /// <param name="cancellationToken">Cancels a key fetch.</param>
    /// <returns>The verified claims, or the error to answer with.</returns>
    public async ValueTask<SetValidationResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "The request carries no SET.");
        }

        if (token.Length > _options.MaxTokenLength)
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, $"The SET is {token.Length} bytes long; at most {_options.MaxTokenLength} are accepted.");
        }

        // The token is decoded and its JSON read once (StrictJose.Read); the parts go on to the
        // signature check and the claims reader.
        var verdict = StrictJose.Read(token, out var jws, out var reason);
        if (Refusal(verdict, reason, "The body is not a compact JWS or JWE.") is { } refused)
        {
            return refused;
        }

        try
        {
            var wasEncrypted = jws is null;
            if (wasEncrypted)
            {
                if (!TryParse(token, out _))
                {
                    return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "The body is not a compact JWS or JWE.");
                }

                var (inner, error) = Decrypt(token);
                if (error is not null)
                {
                    return error;
                }

                (token, jws) = inner!.Value;
            }
            else if (_options.RequireEncryption)
            {
                return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "SETs must be encrypted for this receiver.");
            }

            var header = CheckHeader(jws!);
            if (header is not null)
            {
                return header;
            }

            var signature = await VerifySignatureAsync(token, jws!, cancellationToken).ConfigureAwait(false);
            if (signature.Error is not null)
            {
                return signature.Error;
            }

            var claims = ReadClaims(jws!);
            return claims.Error is not null
                ? claims
                : claims with { SignedToken = token, KeyId = signature.KeyId, Algorithm = jws!.Algorithm, WasEncrypted = wasEncrypted };
        }
        finally
        {
            jws?.Dispose();
        }
    }

    /// <summary>The strict JOSE rules (crit, b64, duplicate member names, registered members' types) as an answer, or null when they pass.</summary>
    private static SetValidationResult? Refusal(JoseVerdict verdict, string? reason, string malformed) => verdict switch
    {
        JoseVerdict.Malformed => SetValidationResult.Fail(SetErrorCodes.InvalidRequest, malformed),
        JoseVerdict.Refused => SetValidationResult.Fail(SetErrorCodes.InvalidRequest, reason!),
        _ => null,
    };

    /// <summary>A JWE's header as Microsoft.IdentityModel reads it, before <see cref="Encryption.SetEncryption"/> opens it.</summary>
    private static bool TryParse(string token, out JsonWebToken jwt)
    {
        try
        {
            jwt = new JsonWebToken(token, SkipStructuredClaims);
            return true;
        }
        // FormatException: IdentityModel's base64url decoder refuses some segments (a space, say) that StrictJose's lets through.
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or FormatException)
        {
            jwt = null!;
            return false;
        }
    }

    /// <summary>
    /// Lets <see cref="JsonWebToken"/> step over object and array claims instead of copying each into a
    /// JsonElement that nothing reads (a JWE has none in its header; kept for what IdentityModel reads).
    /// </summary>
    private static bool SkipStructuredClaim(ref Utf8JsonReader reader, JwtSegmentType segment, string claimName, out object claimValue)
    {
        claimValue = null!;
        if (segment != JwtSegmentType.Payload || reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
        {
            return false;
        }

        reader.Skip();
        return true;
    }

    private static SetValidationResult? CheckHeader(JwsParts jws)
    {
        // SSF 1.0 §4.1.1: typ MUST be secevent+jwt; RFC 7515 §4.1.9 lets the "application/" prefix be written or not.
        if (!string.Equals(jws.Type, SetMediaTypes.JoseType, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(jws.Type, SetMediaTypes.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, string.IsNullOrEmpty(jws.Type)
                ? "The JOSE header has no typ; a SET must carry typ secevent+jwt."
                : $"The JOSE header typ is '{jws.Type}'; a SET must carry typ secevent+jwt.");
        }

        return null;
    }

    /// <summary>
    /// The claims checked, and never an exception: a validly signed SET whose content cannot be read
    /// must be refused like any other malformed SET, or a push is answered 500 and retried forever, and
    /// a poll stream never acknowledges it and stops there. The readers return errors for everything
    /// known; this catches what a reader was not written for.
    /// </summary>
    private SetValidationResult ReadClaims(JwsParts jws)
    {
        try
        {
            return CheckClaims(jws);
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonException or FormatException or ArgumentException or OverflowException)
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, "The SET's claims cannot be read.");
        }
    }

    private SetValidationResult CheckClaims(JwsParts jws)
    {
        var read = SetPayload.ReadUtf8(jws.Claims);
        if (read.Set is not { } set)
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest, Describe(read.Errors));
        }

        if (!_options.ValidIssuers.Contains(set.Issuer))
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidIssuer, $"SETs from issuer '{set.Issuer}' are not accepted here.");
        }

        if (_options.ValidAudiences.Count > 0 && !set.Audience.Any(_options.ValidAudiences.Contains))
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidAudience, set.Audience.Count == 0
                ? "The SET has no aud; it must name this receiver."
                : $"The SET is addressed to {string.Join(", ", set.Audience)}, not to this receiver.");
        }

        var now = _options.TimeProvider.GetUtcNow();
        if (set.IssuedAt > now + _options.ClockSkew)
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest,
                $"iat is in the future by {Seconds(set.IssuedAt - now)} s; clocks may differ by at most {Seconds(_options.ClockSkew)} s.");
        }

        // A SET older than the receiver keeps its jti for could be replayed unnoticed once that jti is gone.
        if (_options.MaxAge is { } maxAge && now - set.IssuedAt > maxAge)
        {
            return SetValidationResult.Fail(SetErrorCodes.InvalidRequest,
                $"The SET was issued {Seconds(now - set.IssuedAt)} s ago (iat); SETs older than {Seconds(maxAge)} s are not accepted here.");
        }

        if (_options.AcceptedEventTypes is { } accepted
            && set.Events.FirstOrDefault(e => EventCatalog.FamilyOf(e.EventType) != EventFamily.Ssf && !accepted.Contains(e.EventType)) is { } refused)
        {
            return SetValidationResult.Fail(SetErrorCodes.AccessDenied, $"Events of type {refused.EventType} are not delivered on this stream.");
        }

        return new SetValidationResult { Set = set };
    }

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);

    private static string Describe(IReadOnlyList<string> errors) =>
        "The SET is malformed: " + string.Join("; ", errors.Take(5)) + (errors.Count > 5 ? $"; and {errors.Count - 5} more" : "") + ".";

    private static SetValidationOptions Checked(SetValidationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ValidIssuers.Count == 0)
        {
            throw new ArgumentException("At least one valid issuer is required.", nameof(options));
        }

        if (options.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxAge must be positive, or null for no limit.", nameof(options));
        }

        var unsafeAlgorithms = options.Algorithms.Where(a => !Keys.SigningAlgorithms.Verifying.Contains(a)).ToList();
        if (unsafeAlgorithms.Count > 0)
        {
            throw new ArgumentException($"Only asymmetric algorithms can be accepted, not {string.Join(", ", unsafeAlgorithms)}.", nameof(options));
        }

        return options;
    }
}
