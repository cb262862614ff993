using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The source of an inbound stream, played by the bench: its issuer is a minimal Kestrel endpoint on
/// loopback that serves its JWKS, and it signs CAEP session-revoked SETs with a fresh ES256 key the
/// way a transmitter pushes them (RFC 8935): <c>typ: secevent+jwt</c>, <c>kid</c>, no <c>sub</c> or
/// <c>exp</c>, a new <c>jti</c> each time. Each SET is about one of <see cref="Subjects"/> users, as a
/// real feed is about many: a stream keeps order per subject, so SETs all about one user could only
/// be pushed one at a time, however many lanes the stream has (<c>PushLanes</c> in the server).
/// </summary>
internal sealed class SetSource : IAsyncDisposable
{
    /// <summary>How many users the SETs are about, picked at random for each.</summary>
    public const int Subjects = 1_000;

    /// <summary>The email address of user <paramref name="user"/> of <see cref="Subjects"/>.</summary>
    public static string SubjectEmail(int user) => $"user{user}@example.com";

    private readonly WebApplication _app;
    private readonly SetSigner _signer;

    private SetSource(WebApplication app, SetSigner signer)
    {
        _app = app;
        _signer = signer;
    }

    public string Issuer => _app.Urls.First();

    public string JwksUri => Issuer + "/jwks.json";

    public static async Task<SetSource> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var key = SetSigningKey.Generate(SigningAlgorithms.ES256);
        var jwks = Jwk.WritePublicSet([key.PublicJwk]);
        app.MapGet("/jwks.json", () => Results.Text(jwks, "application/json"));
        await app.StartAsync();
        return new SetSource(app, new SetSigner(key));
    }

    /// <summary>One SET for <paramref name="audience"/> carrying <paramref name="txn"/>, as the ASCII bytes of its compact JWS.</summary>
    public byte[] Sign(string audience, string txn) => Encoding.ASCII.GetBytes(_signer.Sign(new SecurityEventToken
    {
        Issuer = Issuer,
        Audience = [audience],
        IssuedAt = TimeProvider.System.GetUtcNow(),
        Jti = SetIds.NewJti(),
        Txn = txn,
        Subject = new EmailSubject(SubjectEmail(Random.Shared.Next(Subjects))),
        Events = [new SessionRevoked { InitiatingEntity = "admin", ReasonAdmin = new Dictionary<string, string> { ["en"] = "load" } }],
    }));

    /// <summary><paramref name="count"/> SETs signed ahead of a timed window, on every core.</summary>
    public byte[][] SignMany(string audience, int count)
    {
        var tokens = new byte[count][];
        Parallel.For(0, count, i => tokens[i] = Sign(audience, "load"));
        return tokens;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
