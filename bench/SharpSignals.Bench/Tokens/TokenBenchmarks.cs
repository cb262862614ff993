using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Bench.Support;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;
using SharpSignals.Tokens.Validation;

namespace SharpSignals.Bench.Tokens;

/// <summary>
/// Building and signing a SET, and validating one, beside the bare signature operation of the same
/// key on a signing input of the same size: the raw rate is the ceiling the library is held to
/// (docs/ARCHITECTURE.md, "Performance budget").
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class TokenBenchmarks
{
    private const string Issuer = "https://tx.example.com";
    private const string Audience = "https://rx.example.net";
    private const string SignCategory = "sign";
    private const string VerifyCategory = "validate";

    private SecurityEventToken _set = null!;
    private SetSigner _signer = null!;
    private SetValidator _validator = null!;
    private string _token = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;
    private ECDsa? _ecdsa;
    private ECDsa? _ecdsaPublic;
    private RSA? _rsa;
    private RSA? _rsaPublic;
    private RSASignaturePadding _padding = RSASignaturePadding.Pkcs1;

    /// <summary>The JWS algorithm, one of those the library signs with.</summary>
    [Params(SigningAlgorithms.ES256, SigningAlgorithms.RS256, SigningAlgorithms.PS256)]
    public string Algorithm { get; set; } = SigningAlgorithms.ES256;

    [GlobalSetup]
    public void Setup()
    {
        var key = SetSigningKey.Generate(Algorithm);
        _signer = new SetSigner(key);
        _set = TypicalSet();
        _token = _signer.Sign(_set);

        // The receiver knows only the published public key, as it would from the issuer's JWKS.
        _validator = new SetValidator(new SetValidationOptions
        {
            Keys = new StaticKeySource([key.PublicJwk]),
            ValidIssuers = [Issuer],
            ValidAudiences = [Audience],
        });
        var result = _validator.ValidateAsync(_token, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        if (!result.IsValid)
        {
            throw new InvalidOperationException($"The benchmark token does not validate: {result.Error}");
        }

        // The raw operations sign and verify the very signing input the library produced.
        _signingInput = Encoding.ASCII.GetBytes(_token[.._token.LastIndexOf('.')]);
        _signature = Base64UrlEncoder.DecodeBytes(_token[(_token.LastIndexOf('.') + 1)..]);
        switch (key.SecurityKey)
        {
            case ECDsaSecurityKey ec:
                _ecdsa = ec.ECDsa;
                _ecdsaPublic = ECDsa.Create(ec.ECDsa.ExportParameters(includePrivateParameters: false));
                break;
            case RsaSecurityKey rsa:
                _rsa = rsa.Rsa;
                _rsaPublic = RSA.Create(rsa.Rsa.ExportParameters(includePrivateParameters: false));
                _padding = Algorithm == SigningAlgorithms.PS256 ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                break;
        }

        if (!RawVerify())
        {
            throw new InvalidOperationException("The raw verification of the library's own signature failed.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ecdsaPublic?.Dispose();
        _rsaPublic?.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(SignCategory)]
    public byte[] RawSign() => _ecdsa is { } ecdsa
        ? ecdsa.SignData(_signingInput, HashAlgorithmName.SHA256)
        : _rsa!.SignData(_signingInput, HashAlgorithmName.SHA256, _padding);

    [Benchmark]
    [BenchmarkCategory(SignCategory)]
    [RatioTarget(0.85, "build-and-sign", Unit = "token")]
    public string BuildAndSign() => _signer.Sign(_set with { Jti = SetIds.NewJti() });

    [Benchmark(Baseline = true)]
    [BenchmarkCategory(VerifyCategory)]
    public bool RawVerify() => _ecdsaPublic is { } ecdsa
        ? ecdsa.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256)
        : _rsaPublic!.VerifyData(_signingInput, _signature, HashAlgorithmName.SHA256, _padding);

    [Benchmark]
    [BenchmarkCategory(VerifyCategory)]
    [RatioTarget(0.80, "validate", Unit = "token")]
    public ValueTask<SetValidationResult> Validate() => _validator.ValidateAsync(_token, CancellationToken.None);

    /// <summary>A CAEP session-revoked SET about an email subject, the most common SET on the wire.</summary>
    internal static SecurityEventToken TypicalSet() => new()
    {
        Issuer = Issuer,
        Audience = [Audience],
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600),
        Jti = SetIds.NewJti(),
        Txn = "8675309",
        Subject = new EmailSubject("alice@example.com"),
        Events =
        [
            new SessionRevoked
            {
                EventTimestamp = 1_767_225_000,
                InitiatingEntity = "policy",
                ReasonAdmin = new Dictionary<string, string> { ["en"] = "Landspeed policy violation" },
            },
        ],
    };
}
