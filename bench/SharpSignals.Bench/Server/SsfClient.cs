using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using SharpSignals.Tokens;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Bench.Server;

/// <summary>
/// Speaks the server's HTTP contract (docs/API.md) for the load run: one registered client whose
/// access token publishes and polls, the admin token for stream set-up checks and metrics, and one
/// pooled connection per concurrent caller.
/// </summary>
internal sealed class SsfClient : IDisposable
{
    /// <summary>
    /// The bodies publishers post: a CAEP session-revoked event about one of the users
    /// <see cref="SetSource"/> signs for, picked at random for each event (a stream keeps order per
    /// subject, so events all about one user would be pushed one at a time).
    /// </summary>
    public static readonly byte[][] EventBodies = [.. Enumerable.Range(0, SetSource.Subjects).Select(EventBodyAbout)];

    /// <summary>The body of an event about user <paramref name="user"/>.</summary>
    private static byte[] EventBodyAbout(int user) => EventBodyAbout(SetSource.SubjectEmail(user));

    /// <summary>The body of an event about the user with this email address.</summary>
    public static byte[] EventBodyAbout(string email) => Encoding.UTF8.GetBytes(
        """{"events":{""" + JsonSerializer.Serialize(EventTypes.Caep.SessionRevoked)
        + """:{"initiating_entity":"admin","reason_admin":{"en":"load"}}},"sub_id":{"format":"email","email":""" + JsonSerializer.Serialize(email) + """},"txn":"load"}""");

    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly Uri EventsUri = new("/events", UriKind.Relative);

    private readonly HttpClient _client;
    private readonly HttpClient _admin;

    private SsfClient(HttpClient client, HttpClient admin)
    {
        _client = client;
        _admin = admin;
    }

    /// <summary>A handler with unlimited keep-alive connections to one server, shared by every caller.</summary>
    public static SocketsHttpHandler NewHandler() => new()
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    /// <summary>Registers a client with publish and stream scopes in <paramref name="project"/> (IAT, then <c>/register</c>).</summary>
    public static async Task<SsfClient> RegisterAsync(Uri baseAddress, string adminToken, string project = "load")
    {
#pragma warning disable CA2000 // Each HttpClient owns its handler and the SsfClient owns both clients.
        var admin = new HttpClient(NewHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var client = new HttpClient(NewHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
#pragma warning restore CA2000
        var ssf = new SsfClient(client, admin);
        try
        {
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
            var iat = await ReadAsync(await admin.PostAsJsonAsync("/iat", new { project, expires_in = 86400 }), HttpStatusCode.Created);
            using var register = new HttpRequestMessage(HttpMethod.Post, "/register")
            {
                Content = JsonContent.Create(new { client_name = "load", scope = "ssf.manage ssf.read event.publish" }),
            };
            register.Headers.Authorization = new AuthenticationHeaderValue("Bearer", iat.GetProperty("token").GetString());
            var registered = await ReadAsync(await client.SendAsync(register), HttpStatusCode.Created);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", registered.GetProperty("access_token").GetString());
            return ssf;
        }
        catch
        {
            ssf.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The same client and admin credentials against another node of the same cluster: the nodes
    /// share the database, so a token issued by one is accepted by all (docs/CLUSTER.md).
    /// </summary>
    public SsfClient ForNode(Uri baseAddress)
    {
#pragma warning disable CA2000 // Each HttpClient owns its handler and the SsfClient owns both clients.
        var admin = new HttpClient(NewHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = _admin.Timeout };
        var client = new HttpClient(NewHandler(), disposeHandler: true) { BaseAddress = baseAddress, Timeout = _client.Timeout };
#pragma warning restore CA2000
        admin.DefaultRequestHeaders.Authorization = _admin.DefaultRequestHeaders.Authorization;
        client.DefaultRequestHeaders.Authorization = _client.DefaultRequestHeaders.Authorization;
        return new SsfClient(client, admin);
    }

    /// <summary>One <c>POST /events</c>: null once answered 202, else what came back.</summary>
    public Task<string?> PublishAsync() => PublishAsync(EventBodies[Random.Shared.Next(EventBodies.Length)]);

    /// <summary>One <c>POST /events</c> with this body: null once answered 202, else what came back.</summary>
    public async Task<string?> PublishAsync(byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await _client.PostAsync(EventsUri, content);
        return response.StatusCode == HttpStatusCode.Accepted
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>SSF 1.0 §8.1.3.2: adds an email subject to a stream; null once answered 200, else what came back.</summary>
    public async Task<string?> AddSubjectAsync(string streamId, string email)
    {
        using var response = await _client.PostAsJsonAsync("/ssf/subjects/add", new { stream_id = streamId, subject = new { format = "email", email } });
        return response.StatusCode == HttpStatusCode.OK
            ? null
            : $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
    }

    /// <summary>Creates a stream for session-revoked events: poll, or push to <paramref name="pushUrl"/>.</summary>
    public async Task<string> CreateStreamAsync(string? pushUrl)
    {
        object delivery = pushUrl is null
            ? new { method = DeliveryMethods.Poll }
            : new { method = DeliveryMethods.Push, endpoint_url = pushUrl };
        var created = await ReadAsync(
            await _client.PostAsJsonAsync("/ssf/streams", new { events_requested = new[] { EventTypes.Caep.SessionRevoked }, delivery }),
            HttpStatusCode.Created);
        return created.GetProperty("stream_id").GetString()!;
    }

    /// <summary>
    /// An inbound push stream into project <c>load</c> from <paramref name="issuer"/>, created with the
    /// admin token (docs/API.md, "Inbound streams"): where the source pushes, the credential it pushes
    /// with, and the audience its SETs must carry.
    /// </summary>
    public async Task<InboundStream> CreateInboundStreamAsync(string issuer, string jwksUri)
    {
        var created = await ReadAsync(
            await _admin.PostAsJsonAsync("/ssf/streams", new
            {
                direction = "inbound",
                project = "load",
                events_requested = new[] { EventTypes.Caep.SessionRevoked },
                source = new { issuer, jwks_uri = jwksUri },
            }),
            HttpStatusCode.Created);
        var delivery = created.GetProperty("delivery");
        var audience = created.GetProperty("aud");
        return new InboundStream(
            created.GetProperty("stream_id").GetString()!,
            delivery.GetProperty("endpoint_url").GetString()!,
            delivery.GetProperty("authorization_header").GetString()!,
            audience.ValueKind == JsonValueKind.Array ? audience[0].GetString()! : audience.GetString()!);
    }

    /// <summary>SSF 1.0 §8.1.2.2: the receiver pauses or enables its stream; a paused stream holds its events.</summary>
    public async Task SetStatusAsync(string streamId, string status) =>
        await ReadAsync(await _client.PostAsJsonAsync("/ssf/status", new { stream_id = streamId, status }), HttpStatusCode.OK);

    public async Task DeleteStreamAsync(string streamId)
    {
        using var response = await _client.DeleteAsync(new Uri($"/ssf/streams?stream_id={streamId}", UriKind.Relative));
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Deleting stream {streamId}: HTTP {(int)response.StatusCode}");
        }
    }

    /// <summary><c>GET /admin/metrics</c>: the store's commits and writes so far.</summary>
    public async Task<(long Commits, long Writes)> StoreCountersAsync()
    {
        var metrics = await ReadAsync(await _admin.GetAsync(new Uri("/admin/metrics", UriKind.Relative)), HttpStatusCode.OK);
        return (metrics.GetProperty("store_commits").GetInt64(), metrics.GetProperty("store_writes").GetInt64());
    }

    /// <summary>
    /// RFC 8936 poll with acknowledgement: asks for up to <paramref name="maxEvents"/> SETs at once
    /// and acknowledges the previous batch in the same request, until a poll comes back empty or,
    /// after <paramref name="maxPolls"/> polls, with a last request that only acknowledges.
    /// </summary>
    public async Task<long> DrainAsync(string streamId, int maxEvents, int maxPolls = int.MaxValue)
    {
        var uri = new Uri($"/ssf/poll/{streamId}", UriKind.Relative);
        List<string> ack = [];
        long total = 0;
        var polls = 0;
        var buffer = new ArrayBufferWriter<byte>();
        do
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();

                // RFC 8936 §2.4: maxEvents 0 acknowledges without asking for more.
                writer.WriteNumber("maxEvents", polls++ < maxPolls ? maxEvents : 0);
                writer.WriteBoolean("returnImmediately", true);
                writer.WriteStartArray("ack");
                foreach (var jti in ack)
                {
                    writer.WriteStringValue(jti);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            using var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
            content.Headers.ContentType = Json;
            using var response = await _client.PostAsync(uri, content);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"Poll: HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            }

            ack = SetIds(await response.Content.ReadAsByteArrayAsync());
            total += ack.Count;
        }
        while (ack.Count > 0);

        return total;
    }

    public void Dispose()
    {
        _client.Dispose();
        _admin.Dispose();
    }

    /// <summary>The member names of <c>sets</c> in an RFC 8936 poll response: the jtis to acknowledge.</summary>
    private static List<string> SetIds(byte[] body)
    {
        var jtis = new List<string>();
        var reader = new Utf8JsonReader(body);
        var inSets = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1)
            {
                // Step into "sets"; skip the value of anything else (moreAvailable).
                inSets = reader.ValueTextEquals("sets"u8);
                if (!inSets)
                {
                    reader.Skip();
                }
            }
            else if (inSets && reader.CurrentDepth == 2)
            {
                jtis.Add(reader.GetString()!);
                reader.Skip();
            }
        }

        return jtis;
    }

    /// <summary>The JSON body of an answer that must have the status <paramref name="expected"/>; throws with the body otherwise.</summary>
    internal static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != expected)
            {
                throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: HTTP {(int)response.StatusCode} {body}");
            }

            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
    }
}

/// <summary>What the source of an inbound push stream needs: where to push, with which credential, to which audience.</summary>
internal sealed record InboundStream(string StreamId, string EndpointUrl, string Credential, string Audience);
