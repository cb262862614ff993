using SharpSignals.Server.Http;

namespace SharpSignals.Server.Streams;

/// <summary>A stream operation's result: the configuration, or the error to answer with.</summary>
internal sealed record StreamOutcome(StreamConfiguration? Configuration, IResult? Error)
{
    public static StreamOutcome Ok(StreamConfiguration? configuration) => new(configuration, null);

    public static StreamOutcome Invalid(IReadOnlyCollection<string> errors) =>
        new(null, Problems.BadRequest(string.Join("; ", errors), errors));

    public static StreamOutcome Problem(IResult error) => new(null, error);
}
