using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Keys;

/// <summary>
/// The certificates that encrypt the Data Protection key ring at rest, so that the database (or data
/// directory) and its backups alone no longer open the signing keys and stream credentials the ring
/// protects: <c>SharpSignals:DataProtection:CertificatePath</c> (and <c>:CertificatePassword</c>), which
/// encrypts new keys, and <c>:PreviousCertificates:N:Path</c> (and <c>:Password</c>), kept to read the
/// keys earlier ones encrypted. Each a certificate with its RSA private key, as PKCS#12 (<c>.pfx</c>,
/// <c>.p12</c>) or PEM (certificate and key in one file). Read when the services are built, because Data
/// Protection takes the certificates themselves then.
/// </summary>
internal sealed class KeyRingCertificates
{
    public const string Section = "SharpSignals:DataProtection";

    public const string PathSetting = Section + ":CertificatePath";

    public const string PasswordSetting = Section + ":CertificatePassword";

    public const string PreviousSetting = Section + ":PreviousCertificates";

    /// <summary>The keys <see cref="Load"/> reads, for the check of unknown settings.</summary>
    public static readonly SettingKeys Settings = new(
    [
        PathSetting,
        PasswordSetting,
        $"{PreviousSetting}:{KnownSettings.AnyKey}:Path",
        $"{PreviousSetting}:{KnownSettings.AnyKey}:Password",
    ]);

    private KeyRingCertificates(X509Certificate2? current, IReadOnlyList<X509Certificate2> previous)
    {
        Current = current;
        Previous = previous;
    }

    /// <summary>The certificate new keys are encrypted with; null to store them in the clear.</summary>
    public X509Certificate2? Current { get; }

    /// <summary>Certificates that only read keys encrypted before.</summary>
    public IReadOnlyList<X509Certificate2> Previous { get; }

    public IEnumerable<X509Certificate2> All => Current is null ? Previous : [Current, .. Previous];

    /// <summary>The configured certificates; one that cannot serve stops the start, naming its setting.</summary>
    public static KeyRingCertificates Load(IConfiguration configuration)
    {
        var current = configuration[PathSetting] is { Length: > 0 } path ? Read(path, configuration[PasswordSetting], PathSetting) : null;
        var previous = configuration.GetSection(PreviousSetting).GetChildren()
            .Select(c => Read(c["Path"] ?? "", c["Password"], $"{PreviousSetting}:{c.Key}:Path"))
            .ToList();
        return new KeyRingCertificates(current, previous);
    }

    /// <summary>The certificate a stored key was encrypted with, as Data Protection writes it in the key's XML; null for a key in the clear.</summary>
    public static string? EncryptedWith(XElement key) =>
        key.Descendants().Any(d => d.Name.LocalName == "encryptedSecret")
            ? key.Descendants().FirstOrDefault(d => d.Name.LocalName == "X509Certificate")?.Value.Trim() ?? ""
            : null;

    /// <summary>Whether a certificate in the form <see cref="EncryptedWith"/> gives is the one new keys are encrypted with.</summary>
    public bool IsCurrent(string encryptedWith) => Current is not null && encryptedWith == Convert.ToBase64String(Current.RawData);

    /// <summary>Whether a certificate in the form <see cref="EncryptedWith"/> gives is one of the configured ones.</summary>
    public bool Knows(string encryptedWith) => All.Any(c => encryptedWith == Convert.ToBase64String(c.RawData));

    /// <summary>How an operator finds a certificate in the form <see cref="EncryptedWith"/> gives: its subject and thumbprint.</summary>
    public static string Describe(string encryptedWith)
    {
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(encryptedWith));
            return $"'{certificate.Subject}' (thumbprint {certificate.Thumbprint})";
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return "that the key does not name";
        }
    }

    private static X509Certificate2 Read(string path, string? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = Path.GetExtension(path).ToUpperInvariant() is ".PFX" or ".P12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet)
                : password is null ? X509Certificate2.CreateFromPemFile(path) : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{setting} '{path}' could not be read as a certificate with its private key: {ex.Message}", ex);
        }

        // Data Protection wraps each key with the certificate's RSA public key and unwraps it with the private one.
        using var rsa = certificate.GetRSAPublicKey();
        if (!certificate.HasPrivateKey || rsa is null)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{setting} '{path}' must hold an RSA certificate and its private key.");
        }

        return certificate;
    }
}
