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
internal sealed class ServerFactory(string dataDirectory, IDictionary<string, string?>? settings = null, TimeProvider? time = null, string issuer = ServerFactory.Issuer) : WebApplicationFactory<Program>
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
            builder.ConfigureTestServices(services => services.AddSingleton(time));
        }
    }

    /// <summary>
    /// Why the server refuses to start with <paramref name="settings"/>. When the app's own start
    /// fails, <see cref="WebApplicationFactory{TEntryPoint}"/> may ask the host it already disposed
    /// for its lifetime and report that <see cref="ObjectDisposedException"/> instead of the cause:
    /// a race in the test host, not the server, so such an attempt is made again on a fresh factory.
    /// </summary>
    public static Exception StartFailure(string dataDirectory, IDictionary<string, string?> settings)
    {
        const int Attempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            using var factory = new ServerFactory(dataDirectory, settings);
            var failure = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
            if (failure is not ObjectDisposedException || attempt == Attempts)
            {
                return failure;
            }
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
