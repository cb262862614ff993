using System.Text.Json;
using SharpSignals.Tokens.Discovery;

namespace SharpSignals.Server.Sources;

/// <summary>Reads a transmitter's configuration metadata (SSF 1.0 §7) and checks that it speaks for the issuer asked about.</summary>
internal sealed class SourceDiscovery(SourceHttp http)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(15);

    /// <summary>SSF 1.0 §7.2 (RFC 8615): the well-known segment goes between the issuer's host and its path.</summary>
    public static Uri DocumentUrl(string issuer)
    {
        var uri = new Uri(issuer);
        var path = uri.AbsolutePath.TrimEnd('/');
        return new Uri($"{uri.GetLeftPart(UriPartial.Authority)}/.well-known/ssf-configuration{path}");
    }

    /// <exception cref="SourceException">The document could not be read, or names another issuer.</exception>
    public async Task<TransmitterMetadata> ReadAsync(string issuer, CancellationToken cancellationToken)
    {
        var url = DocumentUrl(issuer);
        TransmitterMetadata? metadata;
        try
        {
            metadata = TransmitterMetadata.Parse(await http.GetStringAsync(url, FetchTimeout, cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new SourceException($"The configuration metadata at {url} could not be read: {ex.Message}", ex);
        }

        // SSF 1.0 §7.2: the issuer in the document must be exactly the one it was discovered for.
        if (metadata?.Issuer != issuer)
        {
            throw new SourceException($"The configuration metadata at {url} names the issuer '{metadata?.Issuer}', not '{issuer}'.");
        }

        return metadata;
    }
}
