using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace SharpSignals.Server.Tests.Support;

/// <summary>
/// The real server over its own data directory, which the test owns and deletes. Its issuer is
/// <see cref="Issuer"/> in memory, or its own loopback URL when it listens on a real port (see
/// <see cref="SsfTestServer.StartListening"/>); loopback push targets are allowed, as in development.
/// </summary>
internal sealed class ServerFactory(string dataDirectory, IDictionary<string, string?>? settings = null, TimeProvider? time = null, string issuer = ServerFactory.Issuer, Action<IServiceCollection>? services = null) : WebApplicationFactory<Program>
{
    public const string Issuer = "http://localhost";

    public string IssuerUrl => issuer;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SharpSignals:DataDirectory", dataDirectory);
        builder.UseSetting("SharpSignals:Issuer", issuer);
        builder.UseSetting("SharpSignals:AllowInsecureHttp", "true");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (time is not null)
        {
            builder.ConfigureTestServices(collection => collection.AddSingleton(time));
        }

        if (services is not null)
        {
            builder.ConfigureTestServices(services);
        }
    }

    /// <summary>A client authorised with the admin token from the data directory.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        var token = File.ReadAllText(Path.Combine(dataDirectory, "admin.token"));
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }
}
