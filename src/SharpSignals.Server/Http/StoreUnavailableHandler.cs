using System.Data.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace SharpSignals.Server.Http;

/// <summary>
/// A request that failed because the database cannot be reached gets 503 with <c>Retry-After</c>
/// (RFC 9110 §15.6.4), as RFC 9457 problem details: the node stored and acknowledged nothing, and
/// the client should try again, here or at another node. The same for an embedded database that
/// cannot be written (a data directory made read-only or full while the server runs): nothing was
/// stored, and the write succeeds again once the operator has fixed the directory. Anything else is
/// left to the default 500.
/// </summary>
internal sealed partial class StoreUnavailableHandler(IProblemDetailsService problems, ILogger<StoreUnavailableHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    // SQLite result codes (sqlite.org/rescode.html), the primary code of any extended one.
    private const int SqlitePermission = 3;
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!IsStoreUnavailable(exception))
        {
            return false;
        }

        LogUnavailable(logger, exception.GetBaseException().Message, httpContext.Request.Path);
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "Service unavailable",
                Detail = "The database cannot be reached or written; nothing was stored. Try again shortly.",
            },
        });
    }

    /// <summary>
    /// A connection that could not be made or was lost (SQLSTATE class 08), a server shutting down
    /// (57P), whatever the driver itself calls transient, or a SQLite file that cannot be written
    /// (read-only, I/O error as on a file system remounted read-only, disk full, cannot open),
    /// anywhere in the exception's causes.
    /// </summary>
    internal static bool IsStoreUnavailable(Exception? exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException db && (db.IsTransient || db.SqlState is { } state && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal))))
            {
                return true;
            }

            if (current is SqliteException { SqliteErrorCode: SqlitePermission or SqliteReadOnly or SqliteIoError or SqliteFull or SqliteCannotOpen })
            {
                return true;
            }
        }

        return false;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database cannot be reached or written ({Reason}); answered 503 to {Path}")]
    private static partial void LogUnavailable(ILogger logger, string reason, string path);
}
