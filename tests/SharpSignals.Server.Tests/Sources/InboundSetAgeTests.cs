using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Sources;

/// <summary>
/// The age limit of received SETs: by default the retention period, so that a SET cannot be replayed
/// once its <c>jti</c> is purged; <c>SharpSignals:Inbound:MaxSetAgeSeconds</c> sets it apart.
/// </summary>
public sealed class InboundSetAgeTests
{
    [Theory]
    [InlineData("SharpSignals:Retention:Days", "1", 86400)]
    [InlineData("SharpSignals:Inbound:MaxSetAgeSeconds", "3600", 3600)]
    public async Task Push_SetOlderThanTheLimit_Is400InvalidRequestNamingBothAges_AndAYoungerOneIsTaken(string setting, string value, int limitSeconds)
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?> { [setting] = value });
        await using var source = await TestTransmitter.StartAsync();
        var inbound = await SsfTestServer.CreateStreamAsync(server.Admin, new
        {
            direction = "inbound",
            delivery = new { method = "urn:ietf:rfc:8935" },
            source = new { issuer = source.Issuer },
        });
        var streamId = inbound["stream_id"]!.GetValue<string>();
        var credential = inbound["delivery"]!["authorization_header"]!.GetValue<string>();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var tooOld = source.Sign(ServerFactory.Issuer, new { iat = now - limitSeconds - 120 });
        using var refused = await PushAsync(server, streamId, credential, tooOld);
        using var taken = await PushAsync(server, streamId, credential, source.Sign(ServerFactory.Issuer, new { iat = now - limitSeconds + 120 }));

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var body = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_request", body.GetProperty("err").GetString());
        var description = body.GetProperty("description").GetString()!;
        Assert.Contains($"older than {limitSeconds} s", description, StringComparison.Ordinal);
        Assert.Contains("s ago (iat)", description, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Accepted, taken.StatusCode);
        var jti = JsonDocument.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(tooOld.Split('.')[1])).RootElement.GetProperty("jti").GetString();
        using var stored = await server.Admin.GetAsync($"/events/{jti}");
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    private static async Task<HttpResponseMessage> PushAsync(SsfTestServer server, string streamId, string credential, string token)
    {
        using var client = server.Factory.CreateClient();
        var content = new StringContent(token, Encoding.ASCII);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/secevent+jwt");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/ssf/push/{streamId}") { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", credential);
        return await client.SendAsync(request);
    }
}
