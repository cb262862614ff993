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
public sealed class KeyRingCertificateTests
{
    [Fact]
    public async Task KeyRing_IsEncryptedWithTheCertificate_AndOpensAgainWithIt_ButNotWithout()
    {
        using var data = new TemporaryDirectory();
        using var files = new TemporaryDirectory();
        Directory.CreateDirectory(files.Path);
        var pfx = Path.Combine(files.Path, "keyring.pfx");
        File.WriteAllBytes(pfx, NewCertificate().Export(X509ContentType.Pkcs12, "s3cret"));
        string[] withCertificate = [$"--SharpSignals:DataProtection:CertificatePath={pfx}", "--SharpSignals:DataProtection:CertificatePassword=s3cret"];

        string kid;
        await using (var first = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), withCertificate))
        {
            kid = await ActiveKidAsync(first);
        }

        // Each key of the ring is stored encrypted: no master key in the clear.
        var ring = Directory.GetFiles(Path.Combine(data.Path, "data-protection"), "*.xml").Select(File.ReadAllText).ToList();
        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });

        await using (var again = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), withCertificate))
        {
            Assert.Equal(kid, await ActiveKidAsync(again));
        }

        // Started without it, the server stops, naming the setting, and adds no key of its own to the
        // ring (Data Protection would otherwise make one, in the clear, to protect what comes next).
        var refused = await ServerProcess.StartFailureAsync(data.Path, []);
        Assert.Contains("of the Data Protection key ring is encrypted with the certificate 'CN=SharpSignals key ring'", refused, StringComparison.Ordinal);
        Assert.Contains("set SharpSignals:DataProtection:CertificatePath to it", refused, StringComparison.Ordinal);
        Assert.Equal(ring.Count, Directory.GetFiles(Path.Combine(data.Path, "data-protection"), "*.xml").Length);
    }

    [Fact]
    public async Task ACertificateNewToTheRing_MakesAnEncryptedKey_ThatProtectsWhatComesNext()
    {
        using var data = new TemporaryDirectory();
        using var files = new TemporaryDirectory();
        Directory.CreateDirectory(files.Path);
        var pfx = Path.Combine(files.Path, "keyring.pfx");
        File.WriteAllBytes(pfx, NewCertificate().Export(X509ContentType.Pkcs12));
        string first, second;
        await using (var clear = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60)))
        {
            first = await ActiveKidAsync(clear);
        }

        await using (var server = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), [$"--SharpSignals:DataProtection:CertificatePath={pfx}"]))
        {
            Assert.Equal(first, await ActiveKidAsync(server));
            using var admin = server.CreateClient(server.ReadAdminToken());
            (await admin.PostAsJsonAsync("/admin/keys/rotate", new { })).EnsureSuccessStatusCode();
            second = await ActiveKidAsync(server);
        }

        // The ring now holds the key made in the clear and one encrypted; the signing key made
        // before the certificate stays under the first, the one made after is under the second.
        var ring = Directory.GetFiles(Path.Combine(data.Path, "data-protection"), "*.xml").Select(f => XElement.Load(f)).ToList();
        var encrypted = Assert.Single(ring, k => k.ToString().Contains("EncryptedData", StringComparison.Ordinal));
        var inTheClear = Assert.Single(ring, k => !k.ToString().Contains("EncryptedData", StringComparison.Ordinal));
        Assert.Equal(Guid.Parse((string)inTheClear.Attribute("id")!), await ProtectingKeyAsync(data.Path, first));
        Assert.Equal(Guid.Parse((string)encrypted.Attribute("id")!), await ProtectingKeyAsync(data.Path, second));
    }

    [Fact]
    public async Task ANewCertificate_WithThePreviousOneListed_ReadsTheOldKeys_AndEncryptsWhatComesNext()
    {
        using var data = new TemporaryDirectory();
        using var files = new TemporaryDirectory();
        Directory.CreateDirectory(files.Path);
        var old = Path.Combine(files.Path, "old.pfx");
        var replacement = Path.Combine(files.Path, "new.pfx");
        using var oldCertificate = NewCertificate("CN=old key ring");
        using var newCertificate = NewCertificate("CN=new key ring");
        File.WriteAllBytes(old, oldCertificate.Export(X509ContentType.Pkcs12, "one"));
        File.WriteAllBytes(replacement, newCertificate.Export(X509ContentType.Pkcs12, "two"));
        string[] before = [$"--SharpSignals:DataProtection:CertificatePath={old}", "--SharpSignals:DataProtection:CertificatePassword=one"];
        string[] after =
        [
            $"--SharpSignals:DataProtection:CertificatePath={replacement}", "--SharpSignals:DataProtection:CertificatePassword=two",
            $"--SharpSignals:DataProtection:PreviousCertificates:0:Path={old}", "--SharpSignals:DataProtection:PreviousCertificates:0:Password=one",
        ];
        string first, second;
        await using (var server = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), before))
        {
            first = await ActiveKidAsync(server);
        }

        await using (var server = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), after))
        {
            Assert.Equal(first, await ActiveKidAsync(server));
            using var admin = server.CreateClient(server.ReadAdminToken());
            (await admin.PostAsJsonAsync("/admin/keys/rotate", new { })).EnsureSuccessStatusCode();
            second = await ActiveKidAsync(server);
        }

        var ring = Directory.GetFiles(Path.Combine(data.Path, "data-protection"), "*.xml").Select(f => XElement.Load(f)).ToList();
        var underOld = Assert.Single(ring, k => k.ToString().Contains(Convert.ToBase64String(oldCertificate.RawData), StringComparison.Ordinal));
        var underNew = Assert.Single(ring, k => k.ToString().Contains(Convert.ToBase64String(newCertificate.RawData), StringComparison.Ordinal));
        Assert.Equal(Guid.Parse((string)underOld.Attribute("id")!), await ProtectingKeyAsync(data.Path, first));
        Assert.Equal(Guid.Parse((string)underNew.Attribute("id")!), await ProtectingKeyAsync(data.Path, second));

        // The old certificate dropped too soon: the start stops and names it.
        var refused = await ServerProcess.StartFailureAsync(data.Path, after[..2]);
        Assert.Contains($"encrypted with the certificate 'CN=old key ring' (thumbprint {oldCertificate.Thumbprint})", refused, StringComparison.Ordinal);
        Assert.Contains("list it under SharpSignals:DataProtection:PreviousCertificates", refused, StringComparison.Ordinal);
    }

    /// <summary>The Data Protection key a stored signing key was protected with: its payload names it after a four-byte magic header.</summary>
    private static async Task<Guid> ProtectingKeyAsync(string dataDirectory, string kid)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "sharpsignals.db")};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT protected_private_key FROM signing_keys WHERE kid = $kid";
        command.Parameters.AddWithValue("$kid", kid);
        var payload = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.DecodeBytes((string)(await command.ExecuteScalarAsync())!);
        return new Guid(payload.AsSpan(4, 16));
    }

    [Fact]
    public async Task APemFileWithTheCertificateAndItsKey_ServesToo()
    {
        using var data = new TemporaryDirectory();
        using var files = new TemporaryDirectory();
        Directory.CreateDirectory(files.Path);
        var pem = Path.Combine(files.Path, "keyring.pem");
        using var certificate = NewCertificate();
        File.WriteAllText(pem, certificate.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());

        await using (var server = await ServerProcess.StartAsync(data.Path, ServerProcess.FreePort(), TimeSpan.FromSeconds(60), [$"--SharpSignals:DataProtection:CertificatePath={pem}"]))
        {
            Assert.NotEmpty(await ActiveKidAsync(server));
        }

        Assert.All(Directory.GetFiles(Path.Combine(data.Path, "data-protection"), "*.xml"), f => Assert.Contains("EncryptedData", File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("missing.pfx", "could not be read as a certificate")]
    [InlineData("public-only.pem", "could not be read as a certificate")]
    [InlineData("ec.pfx", "must hold an RSA certificate and its private key")]
    public async Task ACertificateThatCannotServe_StopsTheStart_NamingTheSetting(string file, string expected)
    {
        using var data = new TemporaryDirectory();
        using var files = new TemporaryDirectory();
        Directory.CreateDirectory(files.Path);
        File.WriteAllText(Path.Combine(files.Path, "public-only.pem"), NewCertificate().ExportCertificatePem());
        using (var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            var request = new CertificateRequest("CN=ec", ec, HashAlgorithmName.SHA256);
            File.WriteAllBytes(Path.Combine(files.Path, "ec.pfx"), request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1)).Export(X509ContentType.Pkcs12));
        }

        var output = await ServerProcess.StartFailureAsync(data.Path, [$"--SharpSignals:DataProtection:CertificatePath={Path.Combine(files.Path, file)}"]);

        Assert.Contains("SharpSignals:DataProtection:CertificatePath", output, StringComparison.Ordinal);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APreviousCertificateThatCannotBeRead_StopsTheStart_NamingItsSetting()
    {
        using var data = new TemporaryDirectory();

        var output = await ServerProcess.StartFailureAsync(data.Path, ["--SharpSignals:DataProtection:PreviousCertificates:0:Path=no-such-directory/old.pfx"]);

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
}
