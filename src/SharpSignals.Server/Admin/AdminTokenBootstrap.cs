using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using SharpSignals.Server.Configuration;

namespace SharpSignals.Server.Admin;

/// <summary>
/// On first start, generates the admin token and writes it to <c>admin.token</c> in the data
/// directory with mode 0600 (docs/API.md). The path is logged, never the token.
/// </summary>
internal sealed partial class AdminTokenBootstrap(DataDirectory directory, ILogger<AdminTokenBootstrap> logger) : IHostedService
{
    public const string FileName = "admin.token";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = directory.File(FileName);
        if (!File.Exists(path))
        {
            directory.WriteSecret(FileName, NewToken());
            LogCreated(logger, path);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>256 random bits, base64url.</summary>
    private static string NewToken() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Created the admin token in {Path}; keep that file secret")]
    private static partial void LogCreated(ILogger logger, string path);
}
