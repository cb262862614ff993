using System.Net.Http.Json;
using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Receiver.Tests.Support;

/// <summary>A real SharpSignals server on a loopback port as the receiver's transmitter, with what tests ask its admin API.</summary>
internal static class LocalTransmitter
{
    /// <summary>Quick retries and verification on demand, so that tests do not wait on the defaults.</summary>
    public static SsfTestServer Start(IDictionary<string, string?>? more = null, TimeProvider? time = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["SharpSignals:Streams:MinVerificationIntervalSeconds"] = "0",
            ["SharpSignals:Streams:PollWaitSeconds"] = "2",
            ["SharpSignals:Push:InitialBackoffSeconds"] = "1",
            ["SharpSignals:Push:MaxBackoffSeconds"] = "1",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return SsfTestServer.StartListening(settings, time);
    }

    public static string AdminHeader(SsfTestServer server) => "Bearer " + File.ReadAllText(Path.Combine(server.DataDirectory, "admin.token")).Trim();

    /// <summary>The outbound streams the server holds.</summary>
    public static async Task<List<JsonElement>> StreamsAsync(SsfTestServer server)
    {
        var streams = await server.Admin.GetFromJsonAsync<JsonElement[]>("/admin/streams");
        return [.. streams!.Where(s => s.GetProperty("direction").GetString() == "outbound")];
    }

    public static async Task<long> PendingAsync(SsfTestServer server, string streamId) =>
        (await StreamsAsync(server)).Single(s => s.GetProperty("stream_id").GetString() == streamId).GetProperty("pending").GetInt64();

    /// <summary>The stream's dead letters: jti and the receiver's error.</summary>
    public static async Task<List<(string Jti, string? Error)>> DeadLettersAsync(SsfTestServer server, string streamId)
    {
        var letters = await server.Admin.GetFromJsonAsync<JsonElement[]>($"/admin/streams/{streamId}/deadletters");
        return [.. letters!.Select(l => (l.GetProperty("jti").GetString()!, l.GetProperty("error").GetString()))];
    }

    /// <summary>Delivers every SET of the stream again: the same signed tokens, the same jti values. Returns how many.</summary>
    public static async Task<int> ReplayAllAsync(SsfTestServer server, string streamId)
    {
        using var response = await server.Admin.PostAsJsonAsync($"/admin/streams/{streamId}/replay", new { from_time = 0 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("count").GetInt32();
    }
}
