using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using SharpSignals.Server.Delivery;
using SharpSignals.Server.Tests.Support;
using SharpSignals.Storage.Deliveries;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Tests.Streams;

public sealed class StreamRulesTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9000/events", "must use https")]
    [InlineData("https://127.0.0.1/events", "loopback, private or link-local")]
    [InlineData("https://10.1.2.3/events", "loopback, private or link-local")]
    [InlineData("https://169.254.169.254/latest", "loopback, private or link-local")]
    [InlineData("https://[::1]/events", "loopback, private or link-local")]
    [InlineData("ftp://receiver.example/events", "absolute https URL")]
    public async Task CreatePushStream_InternalOrInsecureEndpoint_Is400InProduction(string endpoint, string expected)
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?>
        {
            ["SharpSignals:AllowInsecureHttp"] = "false",
            ["SharpSignals:Issuer"] = "https://sharpsignals.example",
        });

        using var response = await server.Admin.PostAsJsonAsync("/ssf/streams", new { delivery = new { method = "urn:ietf:rfc:8935", endpoint_url = endpoint } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await server.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    /// <summary>Without a jwks_uri the keys come from the issuer's discovery document, so the issuer obeys the https rule too.</summary>
    [Theory]
    [InlineData("http://127.0.0.1:9000", "source.issuer must use https: without a jwks_uri")]
    [InlineData("https://127.0.0.1:9000", "source.issuer must not point at a loopback, private or link-local address: without a jwks_uri")]
    public async Task CreateInboundStream_WithoutJwksUriAndAnInsecureIssuer_Is400InProduction(string issuer, string expected)
    {
        await using var server = new SsfTestServer(new Dictionary<string, string?>
        {
            ["SharpSignals:AllowInsecureHttp"] = "false",
            ["SharpSignals:Issuer"] = "https://sharpsignals.example",
        });

        using var response = await server.Admin.PostAsJsonAsync("/ssf/streams", new { direction = "inbound", source = new { issuer } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty((await server.Admin.GetFromJsonAsync<JsonArray>("/ssf/streams"))!);
    }

    [Fact]
    public async Task OversizedBody_Is413()
    {
        await using var server = new SsfTestServer();

        using var response = await server.Admin.PostAsync("/ssf/streams", new StringContent("{\"description\":\"" + new string('x', 300_000) + "\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task InactiveStream_IsPausedWithAStreamUpdatedEvent()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Streams:InactivityTimeoutSeconds"] = "600" }, time);
        var (receiver, _, _) = await server.RegisterClientAsync();
        var created = await SsfTestServer.CreateStreamAsync(receiver, new { });
        var streamId = (string)created["stream_id"]!;
        var monitor = server.Factory.Services.GetRequiredService<InactivityMonitor>();

        time.Advance(TimeSpan.FromSeconds(500));
        await monitor.PauseInactiveAsync(CancellationToken.None);
        var stillEnabled = (await receiver.GetFromJsonAsync<JsonObject>($"/ssf/status?stream_id={streamId}"))!;
        time.Advance(TimeSpan.FromSeconds(601));
        await monitor.PauseInactiveAsync(CancellationToken.None);

        Assert.Equal(600, (int)created["inactivity_timeout"]!);
        Assert.Equal("enabled", (string?)stillEnabled["status"]);
        var status = (await receiver.GetFromJsonAsync<JsonObject>($"/ssf/status?stream_id={streamId}"))!;
        Assert.Equal("paused", (string?)status["status"]);
        var pending = await server.Factory.Services.GetRequiredService<IDeliveryStore>().ReadPendingAsync(streamId, 10, CancellationToken.None);
        var updated = await server.ValidateAsync(Assert.Single(pending).Token!);
        Assert.Equal("paused", Assert.IsType<StreamUpdated>(updated.Set!.Event).Status);
    }

    [Fact]
    public async Task InactivityPause_PollHandsOutWhatCameBeforeAndTheNotice_ThenHoldsTheRest()
    {
        // SSF 1.0 §8.1.5: the stream-updated event reaches the receiver before the transmitter stops.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1));
        await using var server = new SsfTestServer(new Dictionary<string, string?> { ["SharpSignals:Streams:InactivityTimeoutSeconds"] = "600" }, time);
        var (receiver, _, _) = await server.RegisterClientAsync();
        var streamId = (string)(await SsfTestServer.CreateStreamAsync(receiver, new { events_requested = new[] { EventTypes.Caep.SessionRevoked } }))["stream_id"]!;
        await SsfTestServer.PublishAsync(receiver, SsfTestServer.SessionRevoked("before@example.com"));
        time.Advance(TimeSpan.FromSeconds(601));
        await server.Factory.Services.GetRequiredService<InactivityMonitor>().PauseInactiveAsync(CancellationToken.None);
        await SsfTestServer.PublishAsync(receiver, SsfTestServer.SessionRevoked("after@example.com"));

        var first = await SsfTestServer.PollAsync(receiver, streamId, new { returnImmediately = true });
        var sets = first["sets"]!.AsObject().ToList();
        var second = await SsfTestServer.PollAsync(receiver, streamId, new { ack = sets.Select(s => s.Key).ToArray(), returnImmediately = true });
        var status = (await receiver.GetFromJsonAsync<JsonObject>($"/ssf/status?stream_id={streamId}"))!;
        using var enabled = await receiver.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status = "enabled" });
        var third = await SsfTestServer.PollAsync(receiver, streamId, new { returnImmediately = true });

        Assert.Equal(2, sets.Count);
        Assert.Contains("before@example.com", (await server.ValidateAsync((string)sets[0].Value!)).Set!.Subject!.ToJson(), StringComparison.Ordinal);
        Assert.Equal("paused", Assert.IsType<StreamUpdated>((await server.ValidateAsync((string)sets[1].Value!)).Set!.Event).Status);
        Assert.Empty(second["sets"]!.AsObject());
        Assert.Equal("paused", (string?)status["status"]);
        enabled.EnsureSuccessStatusCode();
        var held = Assert.Single(third["sets"]!.AsObject());
        Assert.Contains("after@example.com", (await server.ValidateAsync((string)held.Value!)).Set!.Subject!.ToJson(), StringComparison.Ordinal);
    }
}
