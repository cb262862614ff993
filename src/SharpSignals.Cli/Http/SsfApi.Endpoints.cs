using System.Text.Json.Nodes;
using SharpSignals.Client;

namespace SharpSignals.Cli.Http;

/// <summary>The endpoints of docs/API.md, one method each: the SSF ones through the client's own calls, the server's others by path.</summary>
internal sealed partial class SsfApi
{
    /// <summary>SSF 1.0 §7.2: at the host's root with the issuer's path after it, so a tenant's base URL finds its own document.</summary>
    public Task<JsonNode?> DiscoveryAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, SharedSignalsClient.MetadataUrl(Profile.BaseUrl.ToString()).ToString(), null, cancellationToken, Authentication.None);

    public Task<JsonNode?> HealthAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "healthz", null, cancellationToken, Authentication.None);

    // Registration and clients.
    public Task<JsonNode?> CreateIatAsync(string project, long expiresIn, bool singleUse, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "iat", new JsonObject { ["project"] = project, ["expires_in"] = expiresIn, ["single_use"] = singleUse }, cancellationToken);

    public Task<JsonNode?> RegisterAsync(string initialAccessToken, string name, string scope, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "register", new JsonObject { ["client_name"] = name, ["scope"] = scope }, cancellationToken, Authentication.Bearer, initialAccessToken);

    public Task<JsonNode?> ListClientsAsync(string? project, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/clients" + (project is null ? "" : "?project=" + Query(project)), null, cancellationToken);

    public Task<JsonNode?> RevokeClientAsync(string clientId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, "admin/clients/" + Query(clientId), null, cancellationToken);

    // Streams (SSF 1.0 §8.1).
    public Task<JsonNode?> CreateStreamAsync(JsonObject stream, CancellationToken cancellationToken) =>
        CallAsync(client => client.CreateStreamAsync(stream, cancellationToken));

    public Task<JsonNode?> GetStreamAsync(string streamId, CancellationToken cancellationToken) =>
        CallAsync(client => client.GetStreamAsync(streamId, cancellationToken));

    public Task<JsonNode?> ListStreamsAsync(string? project, CancellationToken cancellationToken) =>
        CallAsync(client => client.ListStreamsAsync(project, cancellationToken));

    public Task<JsonNode?> UpdateStreamAsync(JsonObject changes, bool replace, CancellationToken cancellationToken) =>
        CallAsync(client => replace ? client.ReplaceStreamAsync(changes, cancellationToken) : client.UpdateStreamAsync(changes, cancellationToken));

    public Task<JsonNode?> DeleteStreamAsync(string streamId, CancellationToken cancellationToken) =>
        CallAsync(client => client.DeleteStreamAsync(streamId, cancellationToken));

    public Task<JsonNode?> GetStatusAsync(string streamId, CancellationToken cancellationToken) =>
        CallAsync(client => client.GetStatusAsync(streamId, cancellationToken));

    public Task<JsonNode?> SetStatusAsync(string streamId, string status, string? reason, CancellationToken cancellationToken) =>
        CallAsync(client => client.SetStatusAsync(streamId, status, reason, cancellationToken));

    public Task<JsonNode?> AddSubjectAsync(string streamId, JsonNode subject, bool verified, CancellationToken cancellationToken) =>
        CallAsync(client => client.AddSubjectAsync(streamId, subject, verified, cancellationToken));

    public Task<JsonNode?> RemoveSubjectAsync(string streamId, JsonNode subject, CancellationToken cancellationToken) =>
        CallAsync(client => client.RemoveSubjectAsync(streamId, subject, cancellationToken));

    public Task<JsonNode?> VerifyAsync(string streamId, string? state, CancellationToken cancellationToken) =>
        CallAsync(client => client.VerifyAsync(streamId, state, cancellationToken));

    /// <summary>A new stream credential (docs/API.md, "Stream credentials"); the one before stops working.</summary>
    public Task<JsonNode?> IssueStreamCredentialAsync(string streamId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "ssf/streams/" + Query(streamId) + "/credential", null, cancellationToken);

    public Task<JsonNode?> RevokeStreamCredentialAsync(string streamId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, "ssf/streams/" + Query(streamId) + "/credential", null, cancellationToken);

    /// <summary>RFC 8936 §2.2 poll request; the answer as <c>{"sets": {jti: SET}, "moreAvailable"}</c>.</summary>
    public Task<JsonNode?> PollAsync(string streamId, PollRequest request, CancellationToken cancellationToken) =>
        CallAsync(async client =>
        {
            var answer = await client.PollAsync(SharedSignalsClient.PollEndpoint(streamId), request, timeout: null, cancellationToken);
            return new JsonObject
            {
                ["sets"] = new JsonObject(answer.Sets.Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value))),
                ["moreAvailable"] = answer.MoreAvailable,
            };
        });

    // Events.
    public Task<JsonNode?> PublishAsync(JsonObject body, string? project, CancellationToken cancellationToken) =>
        CallAsync(client => client.PublishAsync(body, project, cancellationToken));

    public Task<JsonNode?> GetEventAsync(string jti, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "events/" + Query(jti), null, cancellationToken);

    // Administration.
    /// <summary><c>GET /admin/events</c> with the given filters (name, value), the unset ones left out.</summary>
    public Task<JsonNode?> SearchEventsAsync(IEnumerable<(string Name, string? Value)> filters, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/events" + QueryString(filters), null, cancellationToken);

    public Task<JsonNode?> AdminStreamsAsync(string? project, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/streams" + (project is null ? "" : "?project=" + Query(project)), null, cancellationToken);

    public Task<JsonNode?> DeadLettersAsync(string streamId, int max, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"admin/streams/{Query(streamId)}/deadletters?max={max}", null, cancellationToken);

    /// <summary><c>retry</c> or <c>discard</c>, for the listed SETs or (null) all of the stream's dead letters.</summary>
    public Task<JsonNode?> SettleDeadLettersAsync(string streamId, string action, IReadOnlyCollection<string>? jtis, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"admin/streams/{Query(streamId)}/deadletters/{action}",
            jtis is null ? new JsonObject() : new JsonObject { ["jtis"] = new JsonArray([.. jtis.Select(j => (JsonNode?)j)]) }, cancellationToken);

    public Task<JsonNode?> ReplayAsync(string streamId, JsonObject from, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"admin/streams/{Query(streamId)}/replay", from, cancellationToken);

    public Task<JsonNode?> KeysAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/keys", null, cancellationToken);

    public Task<JsonNode?> RotateKeyAsync(string? algorithm, bool now, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        if (algorithm is not null)
        {
            body["algorithm"] = algorithm;
        }

        if (now)
        {
            body["now"] = true;
        }

        return SendAsync(HttpMethod.Post, "admin/keys/rotate", body, cancellationToken);
    }

    // Tenants (docs/TENANTS.md): the server's admin token only, at the server's root URL.
    public Task<JsonNode?> ListTenantsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/tenants", null, cancellationToken);

    public Task<JsonNode?> CreateTenantAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "admin/tenants", new JsonObject { ["name"] = name }, cancellationToken);

    public Task<JsonNode?> DeleteTenantAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, "admin/tenants/" + Query(name), null, cancellationToken);

    public Task<JsonNode?> ReplaceTenantAdminTokenAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "admin/tenants/" + Query(name) + "/admin-token", null, cancellationToken);

    public Task<JsonNode?> MetricsAsync(CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, "admin/metrics", null, cancellationToken);
}
