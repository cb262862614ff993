using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SharpSignals.Cli.Tests.Support;

/// <summary>The real server over a data directory the test owns, listening on a real loopback port (its URL is its issuer).</summary>
internal sealed class ServerFactory(string dataDirectory, string issuer, IDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SharpSignals:DataDirectory", dataDirectory);
        builder.UseSetting("SharpSignals:Issuer", issuer);
        builder.UseSetting("SharpSignals:AllowInsecureHttp", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
