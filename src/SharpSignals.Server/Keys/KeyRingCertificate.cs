using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SharpSignals.Server.Keys;

/// <summary>
/// <c>SharpSignals:DataProtection:CertificatePath</c> (and <c>:CertificatePassword</c>): a certificate
/// with its private key that encrypts the Data Protection key ring at rest, so that the database (or
/// data directory) and its backups alone no longer open the signing keys and stream credentials the
/// ring protects. A PKCS#12 file (<c>.pfx</c>, <c>.p12</c>), or PEM holding the certificate and its key.
/// Read when the services are built, because Data Protection takes the certificate itself then.
/// </summary>
internal static class KeyRingCertificate
{
    public const string PathSetting = "SharpSignals:DataProtection:CertificatePath";

    public const string PasswordSetting = "SharpSignals:DataProtection:CertificatePassword";

    /// <summary>The configured certificate, or null when none is; a certificate that cannot serve stops the start, naming the setting.</summary>
    public static X509Certificate2? Load(IConfiguration configuration)
    {
        if (configuration[PathSetting] is not { Length: > 0 } path)
        {
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            var password = configuration[PasswordSetting];
            certificate = Path.GetExtension(path).ToUpperInvariant() is ".PFX" or ".P12"
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet)
                : password is null ? X509Certificate2.CreateFromPemFile(path) : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"{PathSetting} '{path}' could not be read as a certificate with its private key: {ex.Message}", ex);
        }

        // Data Protection wraps each key with the certificate's RSA public key and unwraps it with the private one.
        using var rsa = certificate.GetRSAPublicKey();
        if (!certificate.HasPrivateKey || rsa is null)
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{PathSetting} '{path}' must hold an RSA certificate and its private key.");
        }

        return certificate;
    }
}
