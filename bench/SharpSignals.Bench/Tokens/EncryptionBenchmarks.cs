using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Tokens.Encryption;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;

namespace SharpSignals.Bench.Tokens;

/// <summary>
/// Encrypting a signed SET for a receiver and decrypting it, for every supported alg and enc pair,
/// and signing then encrypting a fresh SET beside signing alone; <see cref="EncryptionSignBaselines"/>
/// measures the raw ES256 signature in the same run, and <see cref="EncryptionReport"/> prints what
/// encryption adds per SET.
/// The recipient key is one public JWK instance, as a stream holds it, so its import is paid once.
/// </summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class EncryptionBenchmarks
{
    private SecurityEventToken _set = null!;
    private SetSigner _signer = null!;
    private string _signed = null!;
    private string _jwe = null!;
    private JsonWebKey _recipient = null!;
    private SecurityKey[] _decryptionKeys = null!;
    private string _alg = null!;
    private string _enc = null!;

    /// <summary>"alg enc", every supported pair.</summary>
    [ParamsSource(nameof(Pairs))]
    public string Pair { get; set; } = $"{SetEncryption.RsaOaep} {SetEncryption.A128CbcHs256}";

    /// <summary>Every supported pair, alg then enc.</summary>
    public static IEnumerable<string> Pairs() =>
        from alg in SetEncryption.KeyManagementAlgorithms
        from enc in SetEncryption.ContentEncryptionAlgorithms
        select $"{alg} {enc}";

    [GlobalSetup]
    public void Setup()
    {
        (_alg, _enc) = (Pair.Split(' ')[0], Pair.Split(' ')[1]);
        _signer = new SetSigner(SetSigningKey.Generate(SigningAlgorithms.ES256));
        _set = TokenBenchmarks.TypicalSet();
        _signed = _signer.Sign(_set);
        AsymmetricSecurityKey receiver = _alg.StartsWith(SetEncryption.EcdhEs, StringComparison.Ordinal)
            ? new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)) { KeyId = "rx-enc" }
            : new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rx-enc" };
        _decryptionKeys = [receiver];
        var jwk = receiver is RsaSecurityKey rsa
            ? JsonWebKeyConverter.ConvertFromRSASecurityKey(rsa)
            : JsonWebKeyConverter.ConvertFromECDsaSecurityKey((ECDsaSecurityKey)receiver);
        jwk.Use = JsonWebKeyUseNames.Enc;
        _recipient = Jwk.ToPublic(jwk);
        _jwe = Encrypt();
        if (Decrypt() != _signed)
        {
            throw new InvalidOperationException($"The benchmark JWE ({Pair}) does not decrypt to the signed SET.");
        }
    }

    /// <summary>Signing alone, measured right before this pair's benchmarks (PairedOrderer), so that the cost of encryption is a difference of neighbours.</summary>
    [Benchmark(Baseline = true)]
    public string Sign() => _signer.Sign(_set with { Jti = SetIds.NewJti() });

    [Benchmark]
    public string Encrypt() => SetEncryption.Encrypt(_signed, _recipient, _alg, _enc);

    [Benchmark]
    public string? Decrypt() => SetEncryption.TryDecrypt(_jwe, _decryptionKeys);

    [Benchmark]
    public string SignAndEncrypt() => SetEncryption.Encrypt(_signer.Sign(_set with { Jti = SetIds.NewJti() }), _recipient, _alg, _enc);
}

/// <summary>The raw ES256 signature of a SET's signing input, the ceiling of signing, beside <see cref="EncryptionBenchmarks"/>.</summary>
/// <remarks>Not sealed: BenchmarkDotNet derives its runner from the benchmark class.</remarks>
[MemoryDiagnoser]
public class EncryptionSignBaselines
{
    private ECDsa _ecdsa = null!;
    private byte[] _signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        var key = SetSigningKey.Generate(SigningAlgorithms.ES256);
        var token = new SetSigner(key).Sign(TokenBenchmarks.TypicalSet());
        _signingInput = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        _ecdsa = ((ECDsaSecurityKey)key.SecurityKey).ECDsa;
    }

    [Benchmark]
    public byte[] RawSign() => _ecdsa.SignData(_signingInput, HashAlgorithmName.SHA256);
}
