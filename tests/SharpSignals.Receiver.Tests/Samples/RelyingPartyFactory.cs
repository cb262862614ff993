using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace SharpSignals.Receiver.Tests.Samples;

/// <summary>The RelyingParty sample on Kestrel on a real loopback port, joined to a test server, with its state in a directory the test owns.</summary>
internal sealed class RelyingPartyFactory(string issuer, string authorizationHeader, string stateDirectory, int port, IDictionary<string, string?>? settings = null) : WebApplicationFactory<RelyingParty.Program>
{
    public string Url => $"http://127.0.0.1:{port}";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SharedSignals:Issuer", issuer);
        builder.UseSetting("SharedSignals:AuthorizationHeader", authorizationHeader);
        builder.UseSetting("SharedSignals:PushEndpointUrl", Url + "/ssf/events");
        builder.UseSetting("SharedSignals:StateDirectory", stateDirectory);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
