using MySqlConnector;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Positions;

/// <summary>
/// The standby's position tables in schema <c>replicakeeper</c>:
/// <c>applied_position</c> (one row per channel, updated in the same transaction as the data it describes, so a crash
/// leaves data and position consistent) and <c>applied_ddl</c> (every DDL statement applied, keyed by its source
/// transaction, so a non-transactional DDL is never run twice).
/// </summary>
public static class PositionStore
{
    public const string DefaultChannel = "default";

    private static readonly string PositionTable = SqlText.Quote(TableName.PositionSchemaName, "applied_position");
    private static readonly string DdlTable = SqlText.Quote(TableName.PositionSchemaName, "applied_ddl");

    /// <summary>Creates the schema and tables when missing (idempotent).</summary>
    public static async Task EnsureSchemaAsync(MySqlConnection connection, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var existing = await connection.ScalarTextAsync(
            $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{TableName.PositionSchemaName}' AND TABLE_NAME IN ('applied_position', 'applied_ddl')",
            ct).ConfigureAwait(false);
        if (existing == "2")
        {
            return; // CREATE ... IF NOT EXISTS would still be written to the standby's binlog
        }

        await connection.ExecuteAsync($"CREATE DATABASE IF NOT EXISTS {SqlText.Quote(TableName.PositionSchemaName)}", ct).ConfigureAwait(false);
        await connection.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {PositionTable} (
              channel VARCHAR(64) NOT NULL PRIMARY KEY,
              gtid_set LONGTEXT NULL COMMENT 'MySQL: source GTIDs applied',
              mariadb_gtids TEXT NULL COMMENT 'MariaDB: last applied source GTID per domain',
              binlog_file VARCHAR(512) NULL COMMENT 'source binlog just past the last applied transaction',
              binlog_offset BIGINT UNSIGNED NULL,
              last_transaction VARCHAR(512) NULL,
              idempotent_until_gtid_set LONGTEXT NULL,
              idempotent_until_mariadb_gtids TEXT NULL,
              idempotent_until_file VARCHAR(512) NULL,
              idempotent_until_offset BIGINT UNSIGNED NULL,
              pending_ddl VARCHAR(512) NULL,
              pending_ddl_marker VARCHAR(512) NULL,
              updated_at DATETIME(6) NOT NULL
            ) ENGINE=InnoDB
            """, ct).ConfigureAwait(false);
        await connection.ExecuteAsync(
            $"""
            CREATE TABLE IF NOT EXISTS {DdlTable} (
              channel VARCHAR(64) NOT NULL,
              source_transaction VARCHAR(512) NOT NULL COMMENT 'GTID or binlog file:offset of the DDL',
              default_schema VARCHAR(64) NULL,
              statement LONGTEXT NOT NULL,
              applied_at DATETIME(6) NOT NULL,
              PRIMARY KEY (channel, source_transaction)
            ) ENGINE=InnoDB
            """, ct).ConfigureAwait(false);
    }

    /// <summary>The channel's row, or null when the channel never applied anything (or the tables do not exist).</summary>
    public static async Task<AppliedPosition?> ReadAsync(MySqlConnection connection, string channel, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var exists = await connection.ScalarTextAsync(
            $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{TableName.PositionSchemaName}' AND TABLE_NAME = 'applied_position'",
            ct, transaction).ConfigureAwait(false);
        if (exists == "0")
        {
            return null;
        }

        await using var command = new MySqlCommand(
            $"SELECT gtid_set, mariadb_gtids, binlog_file, binlog_offset, last_transaction, idempotent_until_gtid_set, " +
            $"idempotent_until_mariadb_gtids, idempotent_until_file, idempotent_until_offset, pending_ddl, pending_ddl_marker, updated_at " +
            $"FROM {PositionTable} WHERE channel = @channel",
            connection,
            transaction);
        command.Parameters.AddWithValue("@channel", channel);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        var position = ReadPosition(reader, 0);
        StandbyPosition? idempotentUntil = ReadPosition(reader, 5);
        if (idempotentUntil.IsEmpty)
        {
            idempotentUntil = null;
        }

        return new AppliedPosition(
            channel,
            position,
            Text(reader, 4),
            idempotentUntil,
            Text(reader, 9),
            Text(reader, 10),
            reader.GetDateTime(11));
    }

    /// <summary>
    /// Writes the channel's row (insert or update) inside <paramref name="transaction"/>: call it in the same
    /// transaction as the applied data, so both commit or neither does.
    /// </summary>
    public static async Task WriteAsync(MySqlConnection connection, MySqlTransaction? transaction, AppliedPosition position, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(position);
        await using var command = new MySqlCommand(WriteSql, connection, transaction);
        AddWriteParameters(command.Parameters, position);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The statement that writes a channel's row; its parameters come from <see cref="AddWriteParameters"/>.</summary>
    internal static readonly string WriteSql =
        $"""
        REPLACE INTO {PositionTable} (channel, gtid_set, mariadb_gtids, binlog_file, binlog_offset, last_transaction,
          idempotent_until_gtid_set, idempotent_until_mariadb_gtids, idempotent_until_file, idempotent_until_offset,
          pending_ddl, pending_ddl_marker, updated_at)
        VALUES (@channel, @gtid, @mariadb, @file, @offset, @last, @igtid, @imariadb, @ifile, @ioffset, @pending, @marker, UTC_TIMESTAMP(6))
        """;

    /// <summary>
    /// <see cref="WriteSql"/> for a row that exists: an UPDATE, which reports one row (the connection counts found
    /// rows), where REPLACE would report two.
    /// </summary>
    internal static readonly string UpdateSql =
        $"""
        UPDATE {PositionTable} SET gtid_set = @gtid, mariadb_gtids = @mariadb, binlog_file = @file, binlog_offset = @offset,
          last_transaction = @last, idempotent_until_gtid_set = @igtid, idempotent_until_mariadb_gtids = @imariadb,
          idempotent_until_file = @ifile, idempotent_until_offset = @ioffset, pending_ddl = @pending,
          pending_ddl_marker = @marker, updated_at = UTC_TIMESTAMP(6)
        WHERE channel = @channel
        """;

    internal static void AddWriteParameters(MySqlParameterCollection parameters, AppliedPosition position)
    {
        parameters.AddWithValue("@channel", position.Channel);
        AddPosition(parameters, "@gtid", "@mariadb", "@file", "@offset", position.Position);
        parameters.AddWithValue("@last", position.LastTransaction);
        AddPosition(parameters, "@igtid", "@imariadb", "@ifile", "@ioffset", position.IdempotentUntil);
        parameters.AddWithValue("@pending", position.PendingDdl);
        parameters.AddWithValue("@marker", position.PendingDdlMarker);
    }

    /// <summary>True when the DDL of <paramref name="sourceTransaction"/> is recorded as applied.</summary>
    public static async Task<bool> IsDdlAppliedAsync(MySqlConnection connection, string channel, string sourceTransaction, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand($"SELECT COUNT(*) FROM {DdlTable} WHERE channel = @channel AND source_transaction = @tx", connection, transaction);
        command.Parameters.AddWithValue("@channel", channel);
        command.Parameters.AddWithValue("@tx", sourceTransaction);
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>Records an applied DDL statement (inside the transaction that also advances the position).</summary>
    public static async Task RecordDdlAsync(MySqlConnection connection, MySqlTransaction? transaction, string channel, string sourceTransaction, string? defaultSchema, string statement, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand(RecordDdlSql, connection, transaction);
        AddRecordDdlParameters(command.Parameters, channel, sourceTransaction, defaultSchema, statement);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The statement that records an applied DDL; its parameters come from <see cref="AddRecordDdlParameters"/>.</summary>
    internal static readonly string RecordDdlSql =
        $"INSERT INTO {DdlTable} (channel, source_transaction, default_schema, statement, applied_at) VALUES (@channel, @tx, @schema, @statement, UTC_TIMESTAMP(6))";

    internal static void AddRecordDdlParameters(MySqlParameterCollection parameters, string channel, string sourceTransaction, string? defaultSchema, string statement)
    {
        parameters.AddWithValue("@channel", channel);
        parameters.AddWithValue("@tx", sourceTransaction);
        parameters.AddWithValue("@schema", defaultSchema);
        parameters.AddWithValue("@statement", statement);
    }

    private static void AddPosition(MySqlParameterCollection parameters, string gtid, string mariadb, string file, string offset, StandbyPosition? position)
    {
        parameters.AddWithValue(gtid, position?.MySqlGtids?.ToString());
        parameters.AddWithValue(mariadb, position?.MariaDbGtids?.ToString());
        parameters.AddWithValue(file, position?.File?.File);
        parameters.AddWithValue(offset, position?.File?.Offset);
    }

    private static StandbyPosition ReadPosition(MySqlDataReader reader, int first)
    {
        var gtid = Text(reader, first);
        var mariadb = Text(reader, first + 1);
        var file = Text(reader, first + 2);
        BinlogPosition? binlog = file is null || reader.IsDBNull(first + 3)
            ? null
            : new BinlogPosition(file, Convert.ToUInt64(reader.GetValue(first + 3), System.Globalization.CultureInfo.InvariantCulture));
        return new StandbyPosition(
            gtid is null ? null : GtidSet.Parse(gtid),
            mariadb is null ? null : MariaDbGtidList.Parse(mariadb),
            binlog);
    }

    private static string? Text(MySqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
