using System.Text.Json;
using SharpSignals.Server.Tests.Support;

namespace SharpSignals.Server.Tests.Keys;

public sealed class JwksEndpointsTests : IDisposable
{
    private readonly TemporaryDirectory _data = new();

    [Fact]
    public async Task GetJwks_FirstStart_PublishesOneEs256PublicKey()
    {
        using var factory = new ServerFactory(_data.Path);
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(new Uri("/jwks.json", UriKind.Relative));

        response.EnsureSuccessStatusCode();
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        using var jwks = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("use").GetString() == "sig");
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("ES256", key.GetProperty("alg").GetString());
        Assert.False(key.TryGetProperty("d", out _));
    }

    [Fact]
    public async Task GetJwks_AfterRestart_PublishesTheSameKeyWhichIsEncryptedAtRest()
    {
        var first = await KeyIdAsync(new ServerFactory(_data.Path));
        var second = await KeyIdAsync(new ServerFactory(_data.Path));

        Assert.Equal(first, second);
        // The private key is stored, encrypted: no JWK private member appears in the database files.
        // Pooled connections are closed first (the last one checkpoints the WAL into the database);
        // another test clearing every pool would otherwise close them while the files are read.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var stored = string.Concat(Directory.GetFiles(_data.Path, "sharpsignals.db*").Where(f => !f.EndsWith("-shm", StringComparison.Ordinal)).Select(ReadIfPresent));
        Assert.Contains(first, stored, StringComparison.Ordinal);
        Assert.DoesNotContain("\"d\":\"", stored, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RS256", "RSA")]
    [InlineData("PS256", "RSA")]
    public async Task GetJwks_ConfiguredAlgorithm_GeneratesThatKind(string algorithm, string keyType)
    {
        using var factory = new ServerFactory(_data.Path, new Dictionary<string, string?> { ["SharpSignals:Signing:Algorithm"] = algorithm });
        using var client = factory.CreateClient();

        using var jwks = JsonDocument.Parse(await client.GetStringAsync(new Uri("/jwks.json", UriKind.Relative)));

        var key = Assert.Single(jwks.RootElement.GetProperty("keys").EnumerateArray(), k => k.GetProperty("use").GetString() == "sig");
        Assert.Equal(keyType, key.GetProperty("kty").GetString());
        Assert.Equal(algorithm, key.GetProperty("alg").GetString());
    }

    [Fact]
    public async Task Start_UnknownSigningAlgorithm_FailsWithTheSettingNamed()
    {
        // A real process: WebApplicationFactory, when the app's own start fails, may report its own
        // ObjectDisposedException (asking the host it already disposed) instead of the cause.
        var output = await ServerProcess.StartFailureAsync(_data.Path, ["--SharpSignals:Signing:Algorithm=HS256"]);

        Assert.Contains("SharpSignals:Signing:Algorithm 'HS256'", output, StringComparison.Ordinal);
    }

    public void Dispose() => _data.Dispose();

    private static async Task<string> KeyIdAsync(ServerFactory factory)
    {
        using (factory)
        {
            using var client = factory.CreateClient();
            using var jwks = JsonDocument.Parse(await client.GetStringAsync(new Uri("/jwks.json", UriKind.Relative)));
            return jwks.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString()!;
        }
    }

    private static string ReadIfPresent(string path)
    {
        try
        {
            return File.ReadAllText(path, System.Text.Encoding.Latin1);
        }
        catch (FileNotFoundException)
        {
            return "";
        }
    }
}
