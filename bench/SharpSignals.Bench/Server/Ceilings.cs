using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using SharpSignals.Tokens.Events;
using SharpSignals.Tokens.Keys;
using SharpSignals.Tokens.Sets;
using SharpSignals.Tokens.Subjects;

namespace SharpSignals.Bench.Server;

/// <summary>
/// The raw operations the server's figures are held against, measured on this machine in the same
/// run (docs/ARCHITECTURE.md, "Performance budget"): signing and verifying a SET-sized input, and an fsync'd SQLite commit.
/// The bare Kestrel rate is measured by <see cref="LoadCommand"/> with the same client as the server.
/// </summary>
internal static class Ceilings
{
    /// <summary>Signatures per second over the signing input of a typical SET, on <paramref name="threads"/> threads at once.</summary>
    public static double SignRate(string algorithm, int threads, TimeSpan duration)
    {
        var key = SetSigningKey.Generate(algorithm);
        var token = new SetSigner(key).Sign(TypicalSet());
        var input = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        long total = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            // One key object per thread: no thread waits on another's.
            using var signer = RawSigner.Create(key.SecurityKey);
            long count = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                signer.Sign(input);
                count++;
            }

            Interlocked.Add(ref total, count);
        });
        return total / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// ES256 verifications per second of one SET's signature with the public key alone (what a
    /// receiver does once per SET), on <paramref name="threads"/> threads at once.
    /// </summary>
    public static double VerifyRate(int threads, TimeSpan duration)
    {
        var key = SetSigningKey.Generate(SigningAlgorithms.ES256);
        var token = new SetSigner(key).Sign(TypicalSet());
        var input = Encoding.ASCII.GetBytes(token[..token.LastIndexOf('.')]);
        var publicKey = ((ECDsaSecurityKey)key.SecurityKey).ECDsa.ExportParameters(includePrivateParameters: false);
        byte[] signature;
        using (var signer = RawSigner.Create(key.SecurityKey))
        {
            signature = signer.Sign(input);
        }

        long total = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            using var verifier = ECDsa.Create(publicKey);
            long count = 0;
            while (Stopwatch.GetTimestamp() < deadline)
            {
                if (!verifier.VerifyData(input, signature, HashAlgorithmName.SHA256))
                {
                    throw new InvalidOperationException("The raw ES256 verification of a fresh signature failed.");
                }

                count++;
            }

            Interlocked.Add(ref total, count);
        });
        return total / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// Rows per second inserted into a fresh WAL database with <c>synchronous=FULL</c> (as the store
    /// opens it), <paramref name="rowsPerTransaction"/> rows per committed transaction, each row a
    /// SET-sized text.
    /// </summary>
    public static double SqliteInsertRate(string directory, int rowsPerTransaction, TimeSpan duration)
    {
        var path = Path.Combine(directory, $"ceiling-{rowsPerTransaction}.db");
        var body = new string('x', 600);
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString()))
        {
            connection.Open();
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = FULL");
            Execute(connection, "CREATE TABLE rows (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL)");
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO rows (body) VALUES ($body)";
            var parameter = insert.Parameters.Add("$body", SqliteType.Text);
            parameter.Value = body;

            long rows = 0;
            var started = Stopwatch.GetTimestamp();
            while (Stopwatch.GetElapsedTime(started) < duration)
            {
                using var transaction = connection.BeginTransaction();
                insert.Transaction = transaction;
                for (var i = 0; i < rowsPerTransaction; i++)
                {
                    insert.ExecuteNonQuery();
                }

                transaction.Commit();
                rows += rowsPerTransaction;
            }

            var rate = rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
            SqliteConnection.ClearAllPools();
            return rate;
        }
    }

    /// <summary>
    /// Rows per second committed to PostgreSQL with its own durability (a WAL flush per commit, as
    /// the store relies on): <paramref name="connections"/> connections at once, each committing
    /// <paramref name="rowsPerCommit"/> SET-sized rows per transaction in one statement, so that the
    /// rate is the commits' and not the round trips'. The table is made in the database given and dropped after.
    /// </summary>
    public static async Task<double> PostgresInsertRateAsync(string connectionString, int rowsPerCommit, int connections, TimeSpan duration)
    {
        var table = $"ceiling_{rowsPerCommit}_{connections}";
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await ExecuteAsync(dataSource, $"CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL)");
        try
        {
            long rows = 0;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var insert = new NpgsqlCommand($"INSERT INTO {table} (body) SELECT @body FROM generate_series(1, @rows)", connection);
                insert.Parameters.AddWithValue("body", new string('x', 600));
                insert.Parameters.AddWithValue("rows", rowsPerCommit);
                await insert.PrepareAsync();
                while (Stopwatch.GetElapsedTime(started) < duration)
                {
                    // One statement outside a transaction block commits on its own.
                    await insert.ExecuteNonQueryAsync();
                    Interlocked.Add(ref rows, rowsPerCommit);
                }
            }));
            return rows / Stopwatch.GetElapsedTime(started).TotalSeconds;
        }
        finally
        {
            await ExecuteAsync(dataSource, $"DROP TABLE {table}");
        }
    }

    /// <summary>A CAEP session-revoked SET about an email subject, as the load run publishes.</summary>
    public static SecurityEventToken TypicalSet() => new()
    {
        Issuer = "http://127.0.0.1:5000",
        Audience = ["http://127.0.0.1:5000/ssf/streams/0123456789abcdef"],
        IssuedAt = DateTimeOffset.FromUnixTimeSeconds(1_767_225_600),
        Jti = SetIds.NewJti(),
        Txn = "load",
        Subject = new EmailSubject("alice@example.com"),
        Events = [new SessionRevoked { InitiatingEntity = "admin", ReasonAdmin = new Dictionary<string, string> { ["en"] = "load" } }],
    };

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>The bare signature of one key: ECDSA P-256 or RSA PKCS#1 v1.5, both over SHA-256.</summary>
internal sealed class RawSigner : IDisposable
{
    private readonly ECDsa? _ecdsa;
    private readonly RSA? _rsa;

    private RawSigner(ECDsa? ecdsa, RSA? rsa)
    {
        _ecdsa = ecdsa;
        _rsa = rsa;
    }

    public static RawSigner Create(SecurityKey key) => key switch
    {
        ECDsaSecurityKey ec => new RawSigner(ECDsa.Create(ec.ECDsa.ExportParameters(includePrivateParameters: true)), null),
        RsaSecurityKey rsa => new RawSigner(null, RSA.Create(rsa.Rsa.ExportParameters(includePrivateParameters: true))),
        _ => throw new NotSupportedException($"No raw signer for {key.GetType().Name}."),
    };

    public byte[] Sign(byte[] input) => _ecdsa is { } ecdsa
        ? ecdsa.SignData(input, HashAlgorithmName.SHA256)
        : _rsa!.SignData(input, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose()
    {
        _ecdsa?.Dispose();
        _rsa?.Dispose();
    }
}
