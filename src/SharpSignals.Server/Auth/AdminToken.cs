using SharpSignals.Server.Configuration;
using SharpSignals.Storage.Clients;

namespace SharpSignals.Server.Auth;

/// <summary>
/// The admin token. On first start it is generated and written to <c>admin.token</c> in the data
/// directory (mode 0600); only its hash is kept in the store (docs/API.md). The path is logged,
/// never the token.
/// </summary>
internal sealed partial class AdminToken(DataDirectory directory, IClientStore clients, ILogger<AdminToken> logger) : IHostedService
{
    public const string FileName = "admin.token";

    private volatile string? _hash;

    public bool Matches(string token) => _hash is { } hash && TokenHashing.Matches(token, hash);

    /// <summary>
    /// Names the current admin token without revealing it or its stored hash (a hash of the hash): a
    /// console session signed in with the token keeps it and ends when the token is replaced.
    /// </summary>
    public string? Fingerprint => _hash is { } hash ? TokenHashing.Hash(hash) : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var hash = await clients.GetAdminTokenHashAsync(cancellationToken);
        if (hash is null)
        {
            var token = TokenHashing.NewToken();
            directory.WriteSecret(FileName, token);
            hash = TokenHashing.Hash(token);
            await clients.SetAdminTokenHashAsync(hash, cancellationToken);
            LogCreated(logger, directory.File(FileName));
        }

        _hash = hash;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the admin token in {Path}; keep that file secret")]
    private static partial void LogCreated(ILogger logger, string path);
}
