using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace SharpSignals.Server.Http;

/// <summary>Applies <see cref="RequestLimitsOptions"/> to Kestrel's own limits, which enforce them while reading.</summary>
internal sealed class KestrelRequestLimits(IOptions<RequestLimitsOptions> options) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var limits = options.Value;
        kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(limits.MinBodyRateGraceSeconds));
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(limits.HeadersTimeoutSeconds);
        kestrel.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(limits.KeepAliveTimeoutSeconds);
        kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
    }
}
