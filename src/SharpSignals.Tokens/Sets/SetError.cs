namespace SharpSignals.Tokens.Sets;

/// <summary>
/// Why a SET was refused: an RFC 8935 error code (<see cref="SetErrorCodes"/>) and a description that
/// can be shown to the transmitter's operator. It never contains key material or the token itself.
/// </summary>
/// <param name="Code">The registered error code, sent as <c>err</c>.</param>
/// <param name="Description">Human-readable English text, sent as <c>description</c>.</param>
public sealed record SetError(string Code, string Description)
{
    internal static SetError Request(string description) => new(SetErrorCodes.InvalidRequest, description);
}
