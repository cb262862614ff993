using System.Collections.Concurrent;

namespace SharpSignals.Server.Inbound;

/// <summary>What went wrong with the last poll of each inbound poll stream, for <c>GET /admin/streams</c>; cleared by a poll that succeeds.</summary>
internal sealed class InboundPollStatus
{
    private readonly ConcurrentDictionary<string, string> _errors = new(StringComparer.Ordinal);

    public string? LastError(string streamId) => _errors.GetValueOrDefault(streamId);

    public void Failed(string streamId, string error) => _errors[streamId] = error;

    public void Succeeded(string streamId) => _errors.TryRemove(streamId, out _);
}
