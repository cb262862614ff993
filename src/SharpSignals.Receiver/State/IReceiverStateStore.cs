using SharpSignals.Receiver.SecurityState;

namespace SharpSignals.Receiver.State;

/// <summary>
/// What the receiver keeps across restarts: its stream, the <c>jti</c> values whose handlers have
/// succeeded, and the security state of subjects. A write is done when the returned task completes;
/// the receiver acknowledges a SET only after that. The default keeps files in
/// <c>StateDirectory</c>; register another implementation to keep it in the application's database.
/// </summary>
public interface IReceiverStateStore
{
    /// <summary>The stream created at <paramref name="issuer"/>, or null when there is none yet.</summary>
    /// <param name="issuer">The transmitter's issuer.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The stream, if any.</returns>
    ValueTask<ReceiverStreamRecord?> GetStreamAsync(string issuer, CancellationToken cancellationToken);

    /// <summary>Keeps the stream, replacing the one kept for its issuer.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task completed once the stream is kept.</returns>
    ValueTask SaveStreamAsync(ReceiverStreamRecord stream, CancellationToken cancellationToken);

    /// <summary>The most recent handled <c>jti</c> values of <paramref name="issuer"/>, oldest first.</summary>
    /// <param name="issuer">The transmitter's issuer.</param>
    /// <param name="limit">The most values to return.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The values.</returns>
    ValueTask<IReadOnlyList<string>> GetHandledJtisAsync(string issuer, int limit, CancellationToken cancellationToken);

    /// <summary>Records that every handler of the SET <paramref name="jti"/> succeeded.</summary>
    /// <param name="issuer">The SET's issuer.</param>
    /// <param name="jti">The SET's <c>jti</c>.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task completed once the record is kept.</returns>
    ValueTask AddHandledJtiAsync(string issuer, string jti, CancellationToken cancellationToken);

    /// <summary>Every subject's security state.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The states.</returns>
    ValueTask<IReadOnlyList<SubjectSecurityState>> GetSubjectStatesAsync(CancellationToken cancellationToken);

    /// <summary>Keeps a subject's security state, replacing the one kept for its subject.</summary>
    /// <param name="state">The state.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task completed once the state is kept.</returns>
    ValueTask SaveSubjectStateAsync(SubjectSecurityState state, CancellationToken cancellationToken);
}
