using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Sources;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Verifies notiflux topic tokens: a JWS signed with an asymmetric algorithm by one of the trusted
/// keys (<see cref="RealtimeOptions.TrustedKeys"/>), with <c>exp</c>, <c>topic</c> or <c>topics</c>,
/// and <c>scope</c>. The hub holds public keys only; whoever holds the private key issues tokens.
/// </summary>
internal sealed class TopicTokenValidator : IDisposable
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly List<SecurityKey> _keys = [];
    private readonly List<JwksResolver> _resolvers = [];
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _skew;

    public TopicTokenValidator(IOptions<RealtimeOptions> options, SourceHttp http, TimeProvider time)
    {
        _time = time;
        _skew = TimeSpan.FromSeconds(options.Value.ClockSkewSeconds);
        var errors = new List<string>();
        for (var i = 0; i < options.Value.TrustedKeys.Count; i++)
        {
            var entry = options.Value.TrustedKeys[i].Trim();
            if (Uri.TryCreate(entry, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
            {
                _resolvers.Add(new JwksResolver(uri, (u, ct) => http.GetStringAsync(u, FetchTimeout, ct), time));
            }
            else if (ReadPem(entry) is { } key)
            {
                _keys.Add(key);
            }
            else
            {
                errors.Add($"{RealtimeOptions.Section}:TrustedKeys:{i} is neither a PEM public key, a base64-encoded PEM nor a JWKS URL");
            }
        }

        if (errors.Count > 0)
        {
            throw new OptionsValidationException(RealtimeOptions.Section, typeof(RealtimeOptions), errors);
        }
    }

    /// <summary>Whether any key is configured; without one every topic token is refused.</summary>
    public bool HasKeys => _keys.Count > 0 || _resolvers.Count > 0;

    /// <summary>Verifies a token for one scope on one topic.</summary>
    public async Task<(TopicToken? Token, RealtimeError? Error)> ValidateAsync(string? token, string scope, string topic, CancellationToken cancellationToken)
    {
        var (verified, error) = await VerifyAsync(token, cancellationToken);
        if (verified is null)
        {
            return (null, error);
        }

        if (!verified.Scopes.Contains(scope))
        {
            return (null, RealtimeErrors.Scope($"The token's scope is not '{scope}'."));
        }

        return verified.Topics.Contains(topic)
            ? (verified, null)
            : (null, RealtimeErrors.Scope($"The token is not for topic '{topic}'."));
    }

    /// <summary>Whether a string has the shape of a compact JWS, so it is worth verifying as a topic token.</summary>
    public static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;

    public void Dispose()
    {
        foreach (var resolver in _resolvers)
        {
            resolver.Dispose();
        }
    }

    private async Task<(TopicToken? Token, RealtimeError? Error)> VerifyAsync(string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token) || !LooksLikeJwt(token) || !_handler.CanReadToken(token))
        {
            return (null, RealtimeErrors.Token("The token is not a JWT."));
        }

        // RFC 7515 §4.1.11 and §4: crit, b64 and duplicate member names, before the handler reads the token.
        switch (StrictJose.Check(token, out var refused))
        {
            case JoseVerdict.Malformed:
                return (null, RealtimeErrors.Token("The token is not a JWT."));
            case JoseVerdict.Refused:
                return (null, RealtimeErrors.Token(refused!));
        }

        var keys = new List<SecurityKey>(_keys);
        string kid;
        try
        {
            kid = _handler.ReadJsonWebToken(token).Kid;
        }
        catch (ArgumentException)
        {
            // Parts that are not base64url JSON (eyJ.eyJ.x): SecurityTokenMalformedException is an ArgumentException.
            return (null, RealtimeErrors.Token("The token is not a JWT."));
        }

        foreach (var resolver in _resolvers)
        {
            try
            {
                keys.AddRange(await resolver.GetKeysAsync(string.IsNullOrEmpty(kid) ? null : kid, cancellationToken));
            }
            catch (JwksFetchException)
            {
                // Another trusted source may still hold the key; none at all ends as a bad signature.
            }
        }

        // Lifetime is checked below against the injected clock; everything else here.
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidAlgorithms = SigningAlgorithms.Verifying,
            IssuerSigningKeys = keys,
            TryAllIssuerSigningKeys = true,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, RealtimeErrors.Token("The token's signature does not match a trusted key, or its algorithm is not accepted."));
        }

        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(jwt.EncodedPayload));
        var claims = payload.RootElement;
        if (!claims.TryGetProperty("exp", out var exp))
        {
            return (null, RealtimeErrors.Token("The token has no exp."));
        }

        if (NumericDate(exp) is not { } expiresAt)
        {
            return (null, RealtimeErrors.Token("The token's exp is not a NumericDate."));
        }

        var now = _time.GetUtcNow();
        if (expiresAt + _skew <= now)
        {
            return (null, RealtimeErrors.Token("The token has expired."));
        }

        if (claims.TryGetProperty("nbf", out var nbf))
        {
            if (NumericDate(nbf) is not { } notBefore)
            {
                return (null, RealtimeErrors.Token("The token's nbf is not a NumericDate."));
            }

            if (notBefore - _skew > now)
            {
                return (null, RealtimeErrors.Token("The token is not valid yet."));
            }
        }

        var topics = Strings(claims, "topic").Concat(Strings(claims, "topics")).ToList();
        var scopes = Strings(claims, "scope").SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        return (new TopicToken(topics, scopes, expiresAt), null);
    }

    /// <summary>
    /// RFC 7519 §2 NumericDate: a JSON number of seconds. A string, or a number outside what a
    /// DateTimeOffset holds (1e30, 9e18), is not one; null then, so the token is refused, not a 500.
    /// </summary>
    private static DateTimeOffset? NumericDate(JsonElement value)
    {
        // A year's margin at each end, so that adding or taking the clock skew cannot overflow.
        var min = DateTimeOffset.MinValue.AddYears(1).ToUnixTimeSeconds();
        var max = DateTimeOffset.MaxValue.AddYears(-1).ToUnixTimeSeconds();
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || double.IsNaN(seconds) || seconds < min || seconds > max)
        {
            return null;
        }

        return DateTimeOffset.FromUnixTimeSeconds((long)Math.Floor(seconds));
    }

    private static IEnumerable<string> Strings(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var value))
        {
            return [];
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => [value.GetString()!],
            JsonValueKind.Array => value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList(),
            _ => [],
        };
    }

    /// <summary>A PEM public key (EC or RSA), given as PEM text or base64 of it; null when it is neither.</summary>
    private static AsymmetricSecurityKey? ReadPem(string entry)
    {
        var pem = entry;
        if (!pem.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            try
            {
                pem = Encoding.UTF8.GetString(Convert.FromBase64String(entry));
            }
            catch (FormatException)
            {
                return null;
            }
        }

        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            // Not an EC key: try RSA.
        }

        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return null;
        }
    }
}
