using Npgsql;
using NpgsqlTypes;

namespace SharpSignals.Storage.Postgres;

/// <summary>
/// Typed parameters: a null must still carry its type, or PostgreSQL cannot tell what
/// <c>@x IS NULL</c> compares. Times are truncated to the millisecond on the way in, so that they
/// compare and round-trip exactly as the SQLite store's Unix milliseconds do.
/// </summary>
internal static class PostgresParameters
{
    public static void Text(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    public static void TextArray(this NpgsqlParameterCollection parameters, string name, IEnumerable<string?> values) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() });

    public static void Jsonb(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Jsonb) { Value = (object?)value ?? DBNull.Value });

    public static void BigInt(this NpgsqlParameterCollection parameters, string name, long? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = (object?)value ?? DBNull.Value });

    public static void Integer(this NpgsqlParameterCollection parameters, string name, int value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = value });

    public static void SmallInt(this NpgsqlParameterCollection parameters, string name, short value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Smallint) { Value = value });

    public static void Boolean(this NpgsqlParameterCollection parameters, string name, bool value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Boolean) { Value = value });

    public static void Time(this NpgsqlParameterCollection parameters, string name, DateTimeOffset? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = value is { } time ? ToMilliseconds(time) : DBNull.Value });

    private static DateTime ToMilliseconds(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
}
