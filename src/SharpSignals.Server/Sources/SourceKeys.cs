using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Outbound;
using SharpSignals.Server.Streams;
using SharpSignals.Tokens.Discovery;
using SharpSignals.Tokens.Keys;

namespace SharpSignals.Server.Sources;

/// <summary>
/// The public keys of each source (docs/ARCHITECTURE.md, "The path of one event"): from its <c>jwks_uri</c> or,
/// when the stream names none, from its discovery document. One cached <see cref="JwksResolver"/> per
/// key location, shared by every stream from that source, so an unknown <c>kid</c> refetches at a
/// bounded rate however many streams see it; one seen before the keys may be fetched again is a
/// transient refusal (503 on push, not acknowledged on poll), so a source's rotation loses nothing.
/// </summary>
internal sealed class SourceKeys(SourceHttp http, SourceClient sources, OutboundAddressPolicy addresses, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, ISetKeySource> _sources = new(StringComparer.Ordinal);

    public ISetKeySource For(SourceConfiguration source) => source.JwksUri is { } jwksUri
        ? _sources.GetOrAdd("jwks " + jwksUri, _ => Resolver(new Uri(jwksUri)))
        : _sources.GetOrAdd("issuer " + source.Issuer, _ => new DiscoveredKeys(this, source.Issuer));

    public void Dispose()
    {
        foreach (var source in _sources.Values.OfType<IDisposable>())
        {
            source.Dispose();
        }
    }

    private JwksResolver Resolver(Uri jwksUri) =>
        new(jwksUri, (uri, cancellationToken) => http.GetStringAsync(uri, FetchTimeout, cancellationToken), time);

    /// <summary>Keys found through the issuer's discovery document, read when first needed and again after a failure.</summary>
    private sealed class DiscoveredKeys(SourceKeys owner, string issuer) : ISetKeySource, IDisposable
    {
        private readonly SemaphoreSlim _discovering = new(1, 1);
        private JwksResolver? _resolver;

        public async ValueTask<IReadOnlyList<SecurityKey>> GetKeysAsync(string? keyId, CancellationToken cancellationToken) =>
            (await LookupAsync(keyId, cancellationToken)).Keys;

        public async ValueTask<SetKeyLookup> LookupAsync(string? keyId, CancellationToken cancellationToken)
        {
            var resolver = _resolver ?? await DiscoverAsync(cancellationToken);
            return await resolver.LookupAsync(keyId, cancellationToken);
        }

        public void Dispose()
        {
            _resolver?.Dispose();
            _discovering.Dispose();
        }

        private async Task<JwksResolver> DiscoverAsync(CancellationToken cancellationToken)
        {
            await _discovering.WaitAsync(cancellationToken);
            try
            {
                if (_resolver is { } found)
                {
                    return found;
                }

                var metadata = await owner.DiscoverOrFailAsync(issuer, cancellationToken);
                return _resolver = owner.Resolver(new Uri(metadata.JwksUri!));
            }
            finally
            {
                _discovering.Release();
            }
        }
    }

    /// <summary>A discovery failure is a key fetch failure: the validator answers it as transient.</summary>
    private async Task<TransmitterMetadata> DiscoverOrFailAsync(string issuer, CancellationToken cancellationToken)
    {
        if ((await sources.DiscoverAsync(issuer, cancellationToken)).Failed(out var failure, out var metadata))
        {
            throw new JwksFetchException(failure.Detail);
        }

        if (metadata.JwksUri is not { Length: > 0 } || !Uri.IsWellFormedUriString(metadata.JwksUri, UriKind.Absolute))
        {
            throw new JwksFetchException($"The configuration metadata of {issuer} has no usable jwks_uri.");
        }

        // A jwks_uri the source advertises obeys the same rules as one given for the stream (RFC
        // 8414 §2 asks for https too): keys read over plain http could be anyone's.
        return addresses.CheckUrl(metadata.JwksUri) is { } problem
            ? throw new JwksFetchException($"The jwks_uri that {issuer} advertises {problem}.")
            : metadata;
    }
}
