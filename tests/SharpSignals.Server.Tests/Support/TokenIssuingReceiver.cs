using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// A real RFC 8935 push endpoint on a loopback port that accepts only bearer tokens from its own OAuth
/// token endpoint (client credentials, RFC 6749 §4.4), as the GOV.UK receiver accelerator does: each
/// token lasts <see cref="Lifetime"/> on the test's clock, and a push with an unknown, expired or
/// revoked token is answered 401 (RFC 6750 §3.1).
/// </summary>
internal sealed class TokenIssuingReceiver : IAsyncDisposable
{
    public const string ClientId = "sharpsignals-at-receiver";
    public const string ClientSecret = "receiver-secret-4f1c9e";

    private readonly WebApplication _app;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedPush> _accepted = new();
    private readonly ConcurrentQueue<string> _tokenRequests = new();
    private int _refused;

    private TokenIssuingReceiver(WebApplication app, TimeProvider clock)
    {
        _app = app;
        _clock = clock;
    }

    /// <summary>How long each token lasts; the token endpoint says so in <c>expires_in</c>.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>When set, the token endpoint answers this instead of a token: status and body (the endpoint down or broken).</summary>
    public (int Status, string Body)? TokenAnswer { get; set; }

    /// <summary>How long the token endpoint takes to answer (real time), so that pushes waiting for a token overlap.</summary>
    public TimeSpan TokenDelay { get; set; }

    /// <summary>The pushes accepted (2xx), in arrival order.</summary>
    public IReadOnlyCollection<RecordedPush> Accepted => _accepted;

    /// <summary>How many pushes were refused with 401.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>Each token request's form and how the client authenticated (<c>basic</c> or <c>post</c>), as a line.</summary>
    public IReadOnlyCollection<string> TokenRequests => _tokenRequests;

    public string Url(string path) => _app.Urls.First() + path;

    /// <summary>Revokes every token issued so far: the next push with one is answered 401.</summary>
    public void RevokeAll() => _issued.Clear();

    public static async Task<TokenIssuingReceiver> StartAsync(TimeProvider clock)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new TokenIssuingReceiver(app, clock);
        app.MapPost("/token", (Delegate)receiver.TokenAsync);
        app.MapPost("/events", (Delegate)receiver.PushAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task<IResult> TokenAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync();
        var authenticatedBy = Authenticate(context.Request, form);
        _tokenRequests.Enqueue($"{authenticatedBy} grant_type={form["grant_type"]} scope={form["scope"]}");
        if (TokenDelay > TimeSpan.Zero)
        {
            await Task.Delay(TokenDelay);
        }

        if (TokenAnswer is { } broken)
        {
            return Results.Text(broken.Body, "application/json", statusCode: broken.Status);
        }

        if (authenticatedBy is null || form["grant_type"] != "client_credentials")
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _issued[token] = _clock.GetUtcNow() + Lifetime;
        return Results.Json(new { access_token = token, token_type = "Bearer", expires_in = (long)Lifetime.TotalSeconds });
    }

    private async Task<IResult> PushAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization[7..] : "";
        if (!_issued.TryGetValue(token, out var expires) || _clock.GetUtcNow() >= expires)
        {
            Interlocked.Increment(ref _refused);
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Results.StatusCode(401);
        }

        _accepted.Enqueue(new RecordedPush(context.Request.Path, context.Request.ContentType, null, authorization, true, body));
        return Results.Accepted();
    }

    /// <summary>RFC 6749 §2.3.1: the client's id and secret in HTTP Basic or in the form, not both; null when neither matches.</summary>
    private static string? Authenticate(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..])).Split(':', 2);
            return pair.Length == 2 && Uri.UnescapeDataString(pair[0]) == ClientId && Uri.UnescapeDataString(pair[1]) == ClientSecret && !form.ContainsKey("client_secret") ? "basic" : null;
        }

        return form["client_id"] == ClientId && form["client_secret"] == ClientSecret ? "post" : null;
    }

    /// <summary>Waits until <paramref name="count"/> pushes have been accepted in all.</summary>
    public async Task<IReadOnlyList<RecordedPush>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(() => _accepted.Count >= count, $"{count} pushes accepted (got {_accepted.Count})", timeout);
        return _accepted.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
