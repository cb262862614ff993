using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Microsoft.Data.Sqlite;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Keys;

/// <summary>
/// <c>SharpSignals:DataProtection:CertificatePath</c>: the Data Protection key ring encrypted at rest with
/// a certificate, over real server processes started and restarted on one data directory.
/// </summary>
public sealed class KeyRingCertificateTests : IDisposable
{
    private const string PathSetting = "--SharpSignals:DataProtection:CertificatePath=";

    private readonly TemporaryDirectory _data = new();
    private readonly TemporaryDirectory _files = new();

    public KeyRingCertificateTests() => Directory.CreateDirectory(_files.Path);

    private string Ring => Path.Combine(_data.Path, "data-protection");

    public void Dispose()
    {
        _data.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task KeyRing_IsEncryptedWithTheCertificate_AndOpensAgainWithIt_ButNotWithout()
    {
        var pfx = WritePkcs12("keyring.pfx", NewCertificate(), "s3cret");
        string[] withCertificate = [PathSetting + pfx, "--SharpSignals:DataProtection:CertificatePassword=s3cret"];

        var kid = await ActiveKidAfterStartAsync(withCertificate);

        // Each key of the ring is stored encrypted: no master key in the clear.
        var ring = Directory.GetFiles(Ring, "*.xml").Select(File.ReadAllText).ToList();
        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });

        Assert.Equal(kid, await ActiveKidAfterStartAsync(withCertificate));

        // Started without it, the server stops, naming the setting, and adds no key of its own to the
        // ring (Data Protection would otherwise make one, in the clear, to protect what comes next).
        var refused = await ServerProcess.StartFailureAsync(_data.Path, []);
        Assert.Contains("of the Data Protection key ring is encrypted with the certificate 'CN=SharpSignals key ring'", refused, StringComparison.Ordinal);
        Assert.Contains("set SharpSignals:DataProtection:CertificatePath to it", refused, StringComparison.Ordinal);
        Assert.Equal(ring.Count, Directory.GetFiles(Ring, "*.xml").Length);
    }

    [Fact]
    public async Task ACertificateNewToTheRing_MakesAnEncryptedKey_ThatProtectsWhatComesNext()
    {
        var pfx = WritePkcs12("keyring.pfx", NewCertificate(), password: null);

        var (first, second) = await KidsAroundARotationAsync([], [PathSetting + pfx]);

        // The ring now holds the key made in the clear and one encrypted; the signing key made
        // before the certificate stays under the first, the one made after is under the second.
        var ring = RingKeys();
        var encrypted = Assert.Single(ring, k => k.ToString().Contains("EncryptedData", StringComparison.Ordinal));
        var inTheClear = Assert.Single(ring, k => !k.ToString().Contains("EncryptedData", StringComparison.Ordinal));
        Assert.Equal(Guid.Parse((string)inTheClear.Attribute("id")!), await ProtectingKeyAsync(first));
        Assert.Equal(Guid.Parse((string)encrypted.Attribute("id")!), await ProtectingKeyAsync(second));
    }

    [Fact]
    public async Task ANewCertificate_WithThePreviousOneListed_ReadsTheOldKeys_AndEncryptsWhatComesNext()
    {
        using var oldCertificate = NewCertificate("CN=old key ring");
        using var newCertificate = NewCertificate("CN=new key ring");
        var old = WritePkcs12("old.pfx", oldCertificate, "one");
        var replacement = WritePkcs12("new.pfx", newCertificate, "two");
        string[] after =
        [
            PathSetting + replacement, "--SharpSignals:DataProtection:CertificatePassword=two",
            $"--SharpSignals:DataProtection:PreviousCertificates:0:Path={old}", "--SharpSignals:DataProtection:PreviousCertificates:0:Password=one",
        ];

        var (first, second) = await KidsAroundARotationAsync([PathSetting + old, "--SharpSignals:DataProtection:CertificatePassword=one"], after);

        var ring = RingKeys();
        var underOld = Assert.Single(ring, k => k.ToString().Contains(Convert.ToBase64String(oldCertificate.RawData), StringComparison.Ordinal));
        var underNew = Assert.Single(ring, k => k.ToString().Contains(Convert.ToBase64String(newCertificate.RawData), StringComparison.Ordinal));
        Assert.Equal(Guid.Parse((string)underOld.Attribute("id")!), await ProtectingKeyAsync(first));
        Assert.Equal(Guid.Parse((string)underNew.Attribute("id")!), await ProtectingKeyAsync(second));

        // The old certificate dropped too soon: the start stops and names it.
        var refused = await ServerProcess.StartFailureAsync(_data.Path, after[..2]);
        Assert.Contains($"encrypted with the certificate 'CN=old key ring' (thumbprint {oldCertificate.Thumbprint})", refused, StringComparison.Ordinal);
        Assert.Contains("list it under SharpSignals:DataProtection:PreviousCertificates", refused, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APemFileWithTheCertificateAndItsKey_ServesToo()
    {
        var pem = Path.Combine(_files.Path, "keyring.pem");
        using var certificate = NewCertificate();
        File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        Assert.NotEmpty(await ActiveKidAfterStartAsync([PathSetting + pem]));

        Assert.All(Directory.GetFiles(Ring, "*.xml"), f => Assert.Contains("EncryptedData", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing.pfx", "could not be read as a certificate")]
    [InlineData("public-only.pem", "could not be read as a certificate")]
    [InlineData("ec.pfx", "must hold an RSA certificate and its private key")]
    public async Task ACertificateThatCannotServe_StopsTheStart_NamingTheSetting(string file, string expected)
    {
        File.WriteAllText(Path.Combine(_files.Path, "public-only.pem"), NewCertificate().ExportCertificatePem());
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=ec", ec, HashAlgorithmName.SHA256);
            WritePkcs12("ec.pfx", request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)), password: null);
        }

        var output = await ServerProcess.StartFailureAsync(_data.Path, [PathSetting + Path.Combine(_files.Path, file)]);

        Assert.Contains("SharpSignals:DataProtection:CertificatePath", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APreviousCertificateThatCannotBeRead_StopsTheStart_NamingItsSetting()
    {
        var output = await ServerProcess.StartFailureAsync(_data.Path, ["--SharpSignals:DataProtection:PreviousCertificates:0:Path=no-such-directory/old.pfx"]);

        Assert.Contains("SharpSignals:DataProtection:PreviousCertificates:0:Path 'no-such-directory/old.pfx' could not be read", output, StringComparison.Ordinal);
    }

    private static X509Certificate2 NewCertificate(string subject = "CN=SharpSignals key ring")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static async Task<string> ActiveKidAsync(ServerProcess server)
    {
        using var client = server.CreateClient(server.ReadAdminToken());
        var keys = await client.GetFromJsonAsync<JsonArray>("/admin/keys");
        return (string)keys!.Single(k => (string?)k!["state"] == "active")!["kid"]!;
    }

    private string WritePkcs12(string name, X509Certificate2 certificate, string? password)
    {
        var path = Path.Combine(_files.Path, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return path;
    }

    private Task<ServerProcess> StartAsync(string[] settings) =>
        ServerProcess.StartAsync(_data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), settings);

    /// <summary>Starts the server with <paramref name="settings"/> and stops it again: the issuer key it signs with.</summary>
    private async Task<string> ActiveKidAfterStartAsync(string[] settings)
    {
        await using var server = await StartAsync(settings);
        return await ActiveKidAsync(server);
    }

    /// <summary>
    /// The issuer key of a start with <paramref name="before"/>; then, started with <paramref name="after"/>,
    /// the same key still active and the one a rotation makes.
    /// </summary>
    private async Task<(string First, string Second)> KidsAroundARotationAsync(string[] before, string[] after)
    {
        var first = await ActiveKidAfterStartAsync(before);
        await using var server = await StartAsync(after);
        Assert.Equal(first, await ActiveKidAsync(server));
        using var admin = server.CreateClient(server.ReadAdminToken());
        (await admin.PostAsJsonAsync("/admin/keys/rotate", new { now = true })).EnsureSuccessStatusCode();
        return (first, await ActiveKidAsync(server));
    }

    private List<XElement> RingKeys() => [.. Directory.GetFiles(Ring, "*.xml").Select(f => XElement.Load(f))];

    /// <summary>The Data Protection key a stored signing key was protected with: its payload names it after a four-byte magic header.</summary>
    private async Task<Guid> ProtectingKeyAsync(string kid)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_data.Path, "sharpsignals.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT protected_private_key FROM signing_keys WHERE kid = $kid";
        command.Parameters.AddWithValue("$kid", kid);
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes((string)(await command.ExecuteScalarAsync())!);
        return new Guid(payload.AsSpan(4, 16));
    }
}
