using System.Text.Json;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Client;

public sealed partial class SharedSignalsClient
{
    /// <summary>SSF 1.0 §7.2 (RFC 8615): the well-known segment goes between the issuer's host and its path.</summary>
    /// <param name="issuer">The transmitter's issuer URL.</param>
    /// <returns>Where its configuration metadata is.</returns>
    public static Uri MetadataUrl(string issuer)
    {
        var uri = new Uri(issuer);
        return new Uri($"{uri.GetLeftPart(UriPartial.Authority)}/.well-known/ssf-configuration{uri.AbsolutePath.TrimEnd('/')}");
    }

    /// <summary>
    /// Reads the transmitter's configuration metadata (SSF 1.0 §7), checks that it speaks for exactly
    /// the issuer of the options, and keeps it in <see cref="Metadata"/> for the calls after.
    /// </summary>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The metadata.</returns>
    /// <exception cref="SharedSignalsClientException">The document could not be read or names another issuer.</exception>
    public async Task<TransmitterMetadata> DiscoverAsync(CancellationToken cancellationToken = default)
    {
        var issuer = Options.Issuer ?? throw new InvalidOperationException("The options name no Issuer to discover.");
        var url = MetadataUrl(issuer);
        TransmitterMetadata? metadata;
        try
        {
            metadata = TransmitterMetadata.Parse(await GetDocumentAsync(url, cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is SharedSignalsClientException or JsonException)
        {
            // The cause (the network, a late answer, the JSON) stays inside, for a caller's retry policy.
            throw new SharedSignalsClientException($"The configuration metadata at {url} could not be read: {ex.Message}", ex is SharedSignalsClientException { InnerException: { } cause } ? cause : ex)
            {
                Status = (ex as SharedSignalsClientException)?.Status,
            };
        }

        // SSF 1.0 §7.2: the issuer in the document must be exactly the one it was discovered for.
        if (metadata?.Issuer != issuer)
        {
            throw new SharedSignalsClientException($"The configuration metadata at {url} names the issuer '{metadata?.Issuer}', not '{issuer}'.");
        }

        return Metadata = metadata;
    }

    /// <summary>The transmitter's JWKS (RFC 7517) as text, from the discovered <c>jwks_uri</c> (discovering first when needed).</summary>
    /// <param name="cancellationToken">Stops the call.</param>
    /// <returns>The JWKS document.</returns>
    /// <exception cref="SharedSignalsClientException">There is no <c>jwks_uri</c>, or it could not be read.</exception>
    public async Task<string> GetJwksAsync(CancellationToken cancellationToken = default)
    {
        var metadata = Metadata ?? await DiscoverAsync(cancellationToken).ConfigureAwait(false);
        var jwksUri = metadata.JwksUri is { Length: > 0 } && Uri.TryCreate(metadata.JwksUri, UriKind.Absolute, out var uri)
            ? uri
            : throw new SharedSignalsClientException($"The configuration metadata of {Options.Issuer} has no usable jwks_uri.");
        return await GetDocumentAsync(jwksUri, cancellationToken).ConfigureAwait(false);
    }
}
