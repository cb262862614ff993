using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Delivery;

/// <summary>
/// The HTTP version of a push (PushClient): an https:// receiver that offers h2 in ALPN gets the SET
/// over HTTP/2, a plain http:// receiver over HTTP/1.1 (no prior knowledge of HTTP/2 is assumed).
/// The server is a real process that trusts the receiver's self-signed certificate the way it would
/// trust an operator's private CA: through <c>SSL_CERT_FILE</c>, the trust store file OpenSSL (and so
/// .NET on Linux) reads from the environment. Certificate validation stays on: without the variable
/// every attempt fails with <c>SecureConnectionError</c>. (On macOS .NET trusts the Keychain instead.)
/// </summary>
public sealed class PushHttpVersionTests : IAsyncLifetime
{
    private const string SessionRevoked = "https://schemas.openid.net/secevent/caep/event-type/session-revoked";

    private readonly TemporaryDirectory _files = new();
    private readonly TemporaryDirectory _data = new();
    private readonly X509Certificate2 _certificate = LoopbackCertificate();
    private ServerProcess? _server;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_files.Path);
        var trusted = _files.File("receiver.pem");
        await File.WriteAllTextAsync(trusted, _certificate.ExportCertificatePem());
        _server = await ServerProcess.StartAsync(
            _data.Path,
            ServerProcess.FreePort(),
            TimeSpan.FromSeconds(60),
            environment: new Dictionary<string, string> { ["SSL_CERT_FILE"] = trusted });
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _certificate.Dispose();
        _data.Dispose();
        _files.Dispose();
    }

    [Fact]
    public async Task HttpsReceiverOfferingHttp2_GetsTheSetOverHttp2()
    {
        await using var receiver = await RecordingReceiver.StartAsync(_certificate);
        Assert.StartsWith("https://127.0.0.1:", receiver.Url(), StringComparison.Ordinal);

        var (push, jti) = await PushOneAsync(receiver);

        Assert.Equal("HTTP/2", push.Protocol);
        Assert.Equal(jti, JtiOf(push.Body));
    }

    [Fact]
    public async Task PlainHttpReceiver_GetsTheSetOverHttp11()
    {
        await using var receiver = await RecordingReceiver.StartAsync();
        Assert.StartsWith("http://127.0.0.1:", receiver.Url(), StringComparison.Ordinal);

        var (push, jti) = await PushOneAsync(receiver);

        Assert.Equal("HTTP/1.1", push.Protocol);
        Assert.Equal(jti, JtiOf(push.Body));
    }

    /// <summary>
    /// ECDSA P-256, for 127.0.0.1 and localhost, valid for an hour: a TLS server certificate
    /// (RFC 5280 §4.2.1.12, id-kp-serverAuth) that signs itself.
    /// </summary>
    private static X509Certificate2 LoopbackCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=SharpSignals test receiver", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddHours(1));
    }

    /// <summary>The <c>jti</c> of a compact JWS (RFC 7515 §7.1): the SET the receiver got is the one published.</summary>
    private static string JtiOf(string token) =>
        JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(token.Split('.')[1]))!["jti"]!.GetValue<string>();

    /// <summary>
    /// A push stream to <paramref name="receiver"/>, then one published event: waits until the server
    /// calls it delivered (its attempt log says why when not) and returns what the receiver got and
    /// the <c>jti</c> of the stream's SET.
    /// </summary>
    private async Task<(RecordedPush Push, string Jti)> PushOneAsync(RecordingReceiver receiver)
    {
        var server = _server!;
        using var admin = server.CreateClient(server.ReadAdminToken());
        await SsfTestServer.CreateStreamAsync(admin, new
        {
            events_requested = new[] { SessionRevoked },
            delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = receiver.Url() },
        });

        var jti = await SsfTestServer.PublishAsync(admin, SsfTestServer.SessionRevoked());

        var delivered = await Eventually.GetAsync(
            async () => Assert.Single((await admin.GetFromJsonAsync<JsonObject>($"/events/{jti}"))!["deliveries"]!.AsArray())!.AsObject(),
            delivery => (string?)delivery["state"] == "delivered",
            $"the push of {jti} to {receiver.Url()} to be delivered",
            describe: delivery => delivery.ToJsonString() + Environment.NewLine + server.RecentOutput);

        // The stream's own SET of the event, with its own jti (docs/API.md, "GET /events/{jti}").
        return (Assert.Single(receiver.Received), (string)delivered["jti"]!);
    }
}
