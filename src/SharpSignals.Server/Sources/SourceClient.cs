using System.Text.Json.Nodes;
using SharpSignals.Client;
using SharpSignals.Server.Http;
using SharpSignals.Server.Streams;
using SharpSignals.Tokens.Discovery;
using SourceStream = SharpSignals.Client.StreamConfiguration;

namespace SharpSignals.Server.Sources;

/// <summary>
/// This server as an SSF receiver calling a source transmitter (SSF 1.0 §7 and §8.1) through
/// <see cref="SharedSignalsClient"/> over the guarded HttpClient, with the source's credential:
/// discovery, stream configuration, status and verification. Every failure, from the network to an
/// answer that cannot be used, is a <see cref="Failure"/> value: 429 when the source asked to be
/// called later, else 502.
/// </summary>
internal sealed class SourceClient(SourceHttp http, TimeProvider time)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan DiscoveryTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Reads a transmitter's configuration metadata (SSF 1.0 §7), which must speak for exactly <paramref name="issuer"/>.</summary>
    public Task<Outcome<TransmitterMetadata>> DiscoverAsync(string issuer, CancellationToken cancellationToken) =>
        CallAsync(() => http.For(new SharedSignalsClientOptions { Issuer = issuer, Timeout = DiscoveryTimeout }, time).DiscoverAsync(cancellationToken));

    /// <summary>SSF 1.0 §8.1.1.1: creates the stream; the answer is read but its checks are the caller's to act on.</summary>
    public async Task<Outcome<(SourceStream? Stream, string? StreamId, IReadOnlyList<string> Errors)>> CreateStreamAsync(SourceConfiguration source, JsonObject body, CancellationToken cancellationToken)
    {
        if ((await CallAsync(() => For(source).CreateStreamAsync(body, cancellationToken))).Failed(out var refused, out var answer))
        {
            return refused;
        }

        var (stream, streamId, errors) = SourceStream.Read(answer, source.Issuer);
        return Outcome<(SourceStream?, string?, IReadOnlyList<string>)>.Ok((stream, streamId, errors));
    }

    /// <summary>SSF 1.0 §8.1.1.2: reads the stream this server created at the source.</summary>
    public async Task<Outcome<SourceStream>> ReadStreamAsync(SourceConfiguration source, CancellationToken cancellationToken) =>
        (await CallAsync(() => For(source).GetStreamAsync(source.StreamId!, cancellationToken))).Failed(out var refused, out var answer)
            ? refused
            : Checked(answer, source);

    /// <summary>SSF 1.0 §8.1.1.3 (PATCH) and §8.1.1.4 (PUT); null when the source accepted the change for later (202).</summary>
    public async Task<Outcome<SourceStream?>> UpdateStreamAsync(SourceConfiguration source, JsonObject body, bool replace, CancellationToken cancellationToken)
    {
        var client = For(source);
        if ((await CallAsync(() => replace ? client.ReplaceStreamAsync(body, cancellationToken) : client.UpdateStreamAsync(body, cancellationToken))).Failed(out var refused, out var answer))
        {
            return refused;
        }

        if (answer is null)
        {
            return Outcome<SourceStream?>.Ok(null);
        }

        return Checked(answer, source).Failed(out var unusable, out var stream) ? unusable : stream;
    }

    /// <summary>SSF 1.0 §8.1.1.5; a stream the source no longer knows (404) is as good as deleted.</summary>
    public async Task<Outcome> DeleteStreamAsync(SourceConfiguration source, CancellationToken cancellationToken)
    {
        try
        {
            await For(source).DeleteStreamAsync(source.StreamId!, cancellationToken);
            return Outcome.Done;
        }
        catch (SharedSignalsClientException ex) when (ex.Status == StatusCodes.Status404NotFound)
        {
            return Outcome.Done;
        }
        catch (SharedSignalsClientException ex)
        {
            return Refused(ex);
        }
    }

    /// <summary>SSF 1.0 §8.1.2.2: the status the source now reports, or null when it will decide later (202).</summary>
    public async Task<Outcome<string?>> SetStatusAsync(SourceConfiguration source, string status, string? reason, CancellationToken cancellationToken)
    {
        if ((await CallAsync(() => For(source).SetStatusAsync(source.StreamId!, status, reason, cancellationToken))).Failed(out var refused, out var answer))
        {
            return refused;
        }

        if (answer is null)
        {
            return Outcome<string?>.Ok(null);
        }

        return answer is JsonObject json && json["status"] is JsonValue value && value.TryGetValue<string>(out var answered)
            ? answered
            : Failure.BadGateway($"{source.StatusEndpoint} answered the status change without a status.");
    }

    /// <summary>
    /// SSF 1.0 §8.1.4.2: asks for a verification event carrying <paramref name="state"/>. Only here is
    /// the source's <c>Retry-After</c> passed on: the caller may ask again then.
    /// </summary>
    public async Task<Outcome> RequestVerificationAsync(SourceConfiguration source, string state, CancellationToken cancellationToken)
    {
        try
        {
            await For(source).VerifyAsync(source.StreamId!, state, cancellationToken);
            return Outcome.Done;
        }
        catch (SharedSignalsClientException ex)
        {
            return Refused(ex) with { RetryAfter = ex.RetryAfter };
        }
    }

    /// <summary>A client for the source's endpoints as this server discovered them, with its credential (renewed once after a 401).</summary>
    private SharedSignalsClient For(SourceConfiguration source)
    {
        var client = http.For(source, CallTimeout, time);
        client.Metadata = new TransmitterMetadata
        {
            Issuer = source.Issuer,
            ConfigurationEndpoint = source.ConfigurationEndpoint,
            StatusEndpoint = source.StatusEndpoint,
            VerificationEndpoint = source.VerificationEndpoint,
        };
        return client;
    }

    private static Outcome<SourceStream> Checked(JsonNode? answer, SourceConfiguration source)
    {
        var (stream, _, errors) = SourceStream.Read(answer, source.Issuer);
        if (stream is not null && stream.StreamId != source.StreamId)
        {
            errors.Add($"stream_id is '{stream.StreamId}', not '{source.StreamId}'");
        }

        return errors.Count == 0 ? stream! : Failure.BadGateway($"{source.ConfigurationEndpoint} answered a stream configuration this server cannot accept: {string.Join("; ", errors)}.");
    }

    /// <summary>The one place a failure of the client becomes a value: 429 when the source asked to be called later, else 502.</summary>
    private static Failure Refused(SharedSignalsClientException failure) =>
        failure.Status == StatusCodes.Status429TooManyRequests ? Failure.TooManyRequests(failure.Message) : Failure.BadGateway(failure.Message);

    private static async Task<Outcome<T>> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return Outcome<T>.Ok(await call());
        }
        catch (SharedSignalsClientException ex)
        {
            return Refused(ex);
        }
    }
}
