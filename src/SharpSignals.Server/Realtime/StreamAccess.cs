using SharpSignals.Server.Auth;
using SharpSignals.Server.Routing;
using SharpSignals.Storage.Streams;
using SharpSignals.Tokens.Events;

namespace SharpSignals.Server.Realtime;

/// <summary>
/// Who may read a stream in real time: the admin token; an access token with <c>ssf.read</c> (or
/// <c>ssf.manage</c>) of the client that owns the stream, as for a poll; or a topic token with scope
/// <c>subscribe</c> for the topic named by the stream id. A receiver never learns of another's
/// streams (SSF 1.0 §8.1.1): a stream it may not see is not found.
/// </summary>
internal sealed class StreamAccess(
    AdminToken adminToken,
    AccessTokenCache accessTokens,
    TopicTokenValidator topicTokens,
    StreamCatalog catalog,
    IStreamStore store,
    StreamLifecycle lifecycle,
    TimeProvider time)
{
    /// <summary>The admin token's connections count together; not a token hash, which has no ':'.</summary>
    private const string AdminCounterKey = "admin:";

    public async Task<(StreamGrant? Grant, RealtimeError? Error)> AuthorizeAsync(string? token, string? streamId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(streamId))
        {
            return (null, RealtimeErrors.Request("stream_id is required."));
        }

        if (string.IsNullOrEmpty(token))
        {
            return (null, RealtimeErrors.Token("A token is required."));
        }

        var notFound = new RealtimeError(RealtimeErrors.NotFound, $"There is no stream '{streamId}'.");
        var route = catalog.Find(streamId);
        DateTimeOffset? expiresAt = null;
        string counterKey;
        if (adminToken.Matches(token))
        {
            // The admin reads every stream.
            counterKey = AdminCounterKey;
        }
        else if (await accessTokens.FindAsync(TokenHashing.Hash(token), cancellationToken) is { } record)
        {
            if (record.ExpiresAt <= time.GetUtcNow())
            {
                return (null, RealtimeErrors.Token("The access token has expired."));
            }

            var scopes = record.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (!scopes.Contains(Scopes.Read) && !scopes.Contains(Scopes.Manage))
            {
                return (null, RealtimeErrors.Scope($"The access token has neither {Scopes.Read} nor {Scopes.Manage}."));
            }

            if (route is null || route.OwnerClientId != record.ClientId)
            {
                return (null, notFound);
            }

            expiresAt = record.ExpiresAt;

            // A client can mint access tokens at will: its connections count together.
            counterKey = "client:" + record.ClientId;
        }
        else if (TopicTokenValidator.LooksLikeJwt(token))
        {
            var (topic, error) = await topicTokens.ValidateAsync(token, TopicScopes.Subscribe, streamId, cancellationToken);
            if (topic is null)
            {
                return (null, error);
            }

            expiresAt = topic.ExpiresAt;
            counterKey = TokenLimits.KeyOf(token);
        }
        else
        {
            return (null, RealtimeErrors.Token("The token is not valid."));
        }

        if (route is null)
        {
            return (null, notFound);
        }

        if (!route.IsOutbound || route.IsPush)
        {
            return (null, RealtimeErrors.Request($"Stream '{streamId}' is not delivered by poll."));
        }

        // SSF 1.0 §8.1.2: a disabled stream transmits nothing and keeps nothing.
        if (route.Status == StreamStatuses.Disabled)
        {
            return (null, new RealtimeError(RealtimeErrors.StreamDisabled, $"Stream '{streamId}' is disabled."));
        }

        await RecordActivityAsync(streamId, cancellationToken);
        return (new StreamGrant(streamId, expiresAt, counterKey), null);
    }

    /// <summary>SSF 1.0 §8.1.1: reading and acknowledging count as receiver activity, as a poll does.</summary>
    public async Task RecordActivityAsync(string streamId, CancellationToken cancellationToken)
    {
        if (await store.GetStreamAsync(streamId, cancellationToken) is { } record)
        {
            await lifecycle.RecordActivityAsync(record, cancellationToken);
        }
    }
}
