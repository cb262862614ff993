using System.Security.Claims;
using SharpSignals.Server.Http;
using SharpSignals.Storage.Streams;

namespace SharpSignals.Server.Auth;

/// <summary>The streams a caller may see: the management API and poll delivery look streams up through it.</summary>
internal sealed class CallerStreams(IStreamStore store)
{
    /// <summary>A stream the caller may see, or 404: a receiver never learns of another's streams (SSF 1.0 §8.1.1).</summary>
    public async Task<Outcome<StreamRecord>> FindAsync(ClaimsPrincipal caller, string? streamId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(streamId))
        {
            return Failure.Invalid(["stream_id is required"]);
        }

        var record = await store.GetStreamAsync(streamId, cancellationToken);
        var visible = record is not null && caller.SharesTenant(record.Project) && (caller.IsAdmin() || (record.OwnerClientId is not null && record.OwnerClientId == caller.ClientIdOf())
            || caller.CredentialStreamOf() == record.StreamId);
        return visible ? record! : Failure.NotFound($"There is no stream '{streamId}'.");
    }
}
